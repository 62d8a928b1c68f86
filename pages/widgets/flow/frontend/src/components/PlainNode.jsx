// Our node renderer (replaces upstream's MarkdownNode.jsx): the fields Python sends in
// node.data drawn as plain elements. User text is only ever a React text node; no markdown
// or HTML parser runs, which was most of the time the canvas took to draw 200 nodes.
import React, { memo } from 'react';
import { Handle, Position } from 'reactflow';

const handlePosMap = { top: Position.Top, right: Position.Right, bottom: Position.Bottom, left: Position.Left };

// The fields read here are listed in pages/widgets/flow/__init__.py (NodeFace); a unit test
// checks that the two lists agree.
const Face = ({ data }) => (
    <div className="plain-node">
        <div className="pn-label">{data.label}</div>
        <div className="pn-title" style={{ color: data.colour }}>
            <i className={`bi bi-${data.icon}`}></i> {data.title}
        </div>
        {data.problems > 0 &&
            <div><span className="pn-problems">
                <i className="bi bi-exclamation-triangle-fill"></i> {data.problems} problem{data.problems > 1 ? 's' : ''}
            </span></div>}
    </div>
);

// Memoised: a new state from Python re-renders only the nodes whose props changed.
const InputNode = memo(({ data, sourcePosition }) => (
    <>
        <Handle type="source" position={handlePosMap[sourcePosition] || Position.Right} isConnectable />
        <Face data={data} />
    </>
));
const OutputNode = memo(({ data, targetPosition }) => (
    <>
        <Handle type="target" position={handlePosMap[targetPosition] || Position.Left} isConnectable />
        <Face data={data} />
    </>
));
const DefaultNode = memo(({ data, sourcePosition, targetPosition }) => (
    <>
        <Handle type="source" position={handlePosMap[sourcePosition] || Position.Right} isConnectable />
        <Face data={data} />
        <Handle type="target" position={handlePosMap[targetPosition] || Position.Left} isConnectable />
    </>
));

export { InputNode, OutputNode, DefaultNode };
