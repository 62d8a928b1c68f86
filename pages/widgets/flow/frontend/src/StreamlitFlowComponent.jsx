import React, { useRef, useEffect, useState, useMemo } from "react"
import {
    Streamlit,
} from "streamlit-component-lib"

import ReactFlow, {
    Controls,
    Background,
    MiniMap,
    useNodesState,
    useEdgesState,
    addEdge,
    ReactFlowProvider,
    useNodesInitialized,
    useReactFlow,
} from 'reactflow';

import 'reactflow/dist/style.css';
import 'bootstrap/dist/css/bootstrap.css';
import "bootstrap-icons/font/bootstrap-icons.css";

import './style.css';

import {InputNode, OutputNode, DefaultNode} from "./components/PlainNode";
import NodeContextMenu from "./components/NodeContextMenu";
import EdgeContextMenu from "./components/EdgeContextMenu";


const StreamlitFlowComponent = (props) => {

    const nodeTypes = useMemo(() => ({ input: InputNode, output: OutputNode, default: DefaultNode}), []);
    
    const [viewFitAfterLayout, setViewFitAfterLayout] = useState(null);
    const [nodes, setNodes, onNodesChange] = useNodesState(props.args.nodes);
    const [edges, setEdges, onEdgesChange] = useEdgesState(props.args.edges);
    const [lastUpdateTimestamp, setLastUpdateTimestamp] = useState(props.args.timestamp);
    const [layoutNeedsUpdate, setLayoutNeedsUpdate] = useState(false);

    const [layoutCalculated, setLayoutCalculated] = useState(false);

    const [nodeContextMenu, setNodeContextMenu] = useState(null);
    const [edgeContextMenu, setEdgeContextMenu] = useState(null);

    const nodesInitialized = useNodesInitialized({'includeHiddenNodes': false});

    const ref = useRef(null);
    const {fitView} = useReactFlow();

    // Helper Functions
    // Python lays the graph out (core/layout.py): the positions it sent are kept as they are
    // (no ELK pass, no second setNodes) and nothing is sent back (the echo would rerun the page
    // for a state Python already has); only the view is fitted to the measured nodes.
    const handleLayout = () => {
        setViewFitAfterLayout(false);
        setLayoutCalculated(true);
    }

    const handleDataReturnToStreamlit = (_nodes, _edges, selectedId) => {

        const timestamp = (new Date()).getTime();
        setLastUpdateTimestamp(timestamp);
        Streamlit.setComponentValue({'nodes': _nodes, 'edges': _edges, 'selectedId': selectedId, 'timestamp': timestamp});
    }

    const calculateMenuPosition = (event) => {
        const pane = ref.current.getBoundingClientRect();
        return {
            top: event.clientY < pane.height - 200 && event.clientY,
            left: event.clientX < pane.width - 200 && event.clientX,
            right: event.clientX >= pane.width - 200 && pane.width - event.clientX,
            bottom: event.clientY >= pane.height - 200 && pane.height - event.clientY,
        }
    }

    const clearMenus = () => {
        setNodeContextMenu(null);
        setEdgeContextMenu(null);
    }

    useEffect(() => Streamlit.setFrameHeight());

    // Layout calculation
    useEffect(() => {
        if(nodesInitialized && !layoutCalculated)
            handleLayout();
    }, [nodesInitialized, layoutCalculated]);



    // Draw a state from Python when it is newer than the last state drawn or the last report
    // sent. Remembered by the state's own timestamp, not the time it arrived (upstream): Python
    // may have made a newer state before a slow browser drew this one, and upstream's echo of
    // every state, which we dropped, was what made up for that. The same state sent again
    // (Streamlit resends arguments when the frame's width or theme changes) is not redrawn,
    // so edits not reported yet (a Backspace deletion) and the view stay as they are.
    useEffect(() => {
        if (lastUpdateTimestamp < props.args.timestamp)
        {
            setLayoutNeedsUpdate(true);
            setNodes(props.args.nodes);
            setEdges(props.args.edges);
            setLastUpdateTimestamp(props.args.timestamp);
        }

    }, [props.args.nodes, props.args.edges]);

    // Handle layout when streamlit sends new state
    useEffect(() => {
        if(layoutNeedsUpdate)
        {
            setLayoutNeedsUpdate(false);
            setLayoutCalculated(false);
        }
    }, [nodes, edges])

    // Auto zoom callback
    useEffect(() => {
        if(!viewFitAfterLayout && props.args.fitView)
        {
            fitView();
            setViewFitAfterLayout(true);
        }
    }, [viewFitAfterLayout, props.args.fitView]);

    // Theme callback
    useEffect(() => {
        setEdges(edges.map(edge => ({...edge, labelStyle:{'fill': props.theme.base === "dark" ? 'white' : 'black'}})))
    }, [props.theme.base])

    // Context Menu Callbacks

    const handleNodeContextMenu = (event, node) => {
        event.preventDefault();

        setEdgeContextMenu(null);

        setNodeContextMenu({
            node: node,
            ...calculateMenuPosition(event)
        })
    }

    const handleEdgeContextMenu = (event, edge) => {
        event.preventDefault();

        setNodeContextMenu(null);

        setEdgeContextMenu({
            edge: edge,
            ...calculateMenuPosition(event)
        })
    }

    // Flow interaction callbacks

    const handlePaneClick = (event) => {
        clearMenus();
        handleDataReturnToStreamlit(nodes, edges, null);
    }

    const handleNodeClick = (event, node) => {
        clearMenus();
        if (props.args.getNodeOnClick)
            handleDataReturnToStreamlit(nodes, edges, node.id);
    }

    const handleEdgeClick = (event, edge) => {
        clearMenus();
        if (props.args.getEdgeOnClick)
            handleDataReturnToStreamlit(nodes, edges, edge.id);
    }


    const handleConnect = (params) => {
        const newEdgeId = `st-flow-edge_${params.source}-${params.target}`; 
        const newEdges = addEdge({...params, animated:props.args["animateNewEdges"], labelShowBg:false, id: newEdgeId}, edges);
        setEdges(newEdges);
        handleDataReturnToStreamlit(nodes, newEdges, newEdgeId);
    }

    const handleNodeDragStop = (event, node) => {
        const updatedNodes = nodes.map(n => {
            if(n.id === node.id)
                return node;
            return n;
        });
        handleDataReturnToStreamlit(updatedNodes, edges, null);
    }

    return (
        <div style={{height: props.args.height}}>
            <ReactFlow
                nodeTypes={nodeTypes}
                ref={ref}
                nodes={nodes}
                onNodesChange={onNodesChange}
                onNodeDragStop={handleNodeDragStop}
                edges={edges}
                onEdgesChange={onEdgesChange}
                onConnect={props.args.allowNewEdges ? handleConnect : null}
                fitView={props.args.fitView}
                style={props.args.style}
                onNodeClick={handleNodeClick}
                onEdgeClick={handleEdgeClick}
                onNodeDragStart={clearMenus}
                onPaneClick={handlePaneClick}
                onNodeContextMenu={props.args.enableNodeMenu ? handleNodeContextMenu : (event, node) => {}}
                onEdgeContextMenu={props.args.enableEdgeMenu ? handleEdgeContextMenu : (event, edge) => {}}
                panOnDrag={props.args.panOnDrag}
                zoomOnDoubleClick={props.args.allowZoom}
                zoomOnScroll={props.args.allowZoom}
                zoomOnPinch={props.args.allowZoom}
                minZoom={props.args.minZoom}
                proOptions={{hideAttribution: props.args.hideWatermark}}>
                    <Background/>
                    {nodeContextMenu && <NodeContextMenu 
                                            nodeContextMenu={nodeContextMenu} 
                                            setNodeContextMenu={setNodeContextMenu}
                                            nodes={nodes}
                                            edges={edges}
                                            setNodes={setNodes}
                                            setEdges={setEdges}
                                            handleDataReturnToStreamlit={handleDataReturnToStreamlit}
                                            theme={props.theme} 
                                            />
                    }
                    {edgeContextMenu && <EdgeContextMenu 
                                            edgeContextMenu={edgeContextMenu} 
                                            setEdgeContextMenu={setEdgeContextMenu} 
                                            nodes={nodes}
                                            edges={edges}
                                            setEdges={setEdges}
                                            handleDataReturnToStreamlit={handleDataReturnToStreamlit} 
                                            theme={props.theme}/>}
                    {props.args["showControls"] && <Controls/>}
                    {props.args["showMiniMap"] && <MiniMap pannable zoomable style={{width: 120, height: 80}}/>}
                </ReactFlow>
        </div>
    );
}

const ContextualStreamlitFlowComponent = (props) => {
    return (
        <ReactFlowProvider>
            <StreamlitFlowComponent {...props}/>
        </ReactFlowProvider>
    );
}

export default ContextualStreamlitFlowComponent;
