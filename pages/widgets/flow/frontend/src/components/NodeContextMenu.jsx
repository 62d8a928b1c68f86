import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import ButtonGroup from 'react-bootstrap/esm/ButtonGroup';
import Modal from 'react-bootstrap/Modal';
import Form from 'react-bootstrap/Form';
import FloatingLabel from 'react-bootstrap/FloatingLabel';

// Edits the node's label only (upstream's modal also changed its width, type, handles and
// flags, none of which the builder keeps).
const EditNodeModal = ({show, node, handleClose, theme, setNodeContextMenu, setModalClosing, setNodes, nodes, edges, handleDataReturnToStreamlit}) => {

    const [editedNode, setEditedNode] = useState(node);

    const onExited = (e) => {
        setModalClosing(true);
        setNodeContextMenu(null);
    }

    const onNodeLabelChange = (e) => {
        setEditedNode((editedNode) => ({...editedNode, data: {...editedNode.data, label: e.target.value}}));
    };

    const handleSaveChanges = (e) => {
        const updatedNodes = nodes.map(n => n.id === editedNode.id ? editedNode : n);
        setNodes(updatedNodes);
        handleDataReturnToStreamlit(updatedNodes, edges, null);
        setNodeContextMenu(null);
    };

    return (
    <Modal show={show} onHide={handleClose} data-bs-theme={theme} onExited={onExited}>
        <Modal.Header closeButton>
            <Modal.Title>Edit Node</Modal.Title>
        </Modal.Header>
        <Modal.Body>
            <FloatingLabel controlId="nodeLabel" label="Label">
                <Form.Control type="text" placeholder="nodeContent" value={editedNode.data.label} autoFocus onChange={onNodeLabelChange}/>
            </FloatingLabel>
        </Modal.Body>
        <Modal.Footer>
            <Button variant="secondary" onClick={handleClose}>
                Close
            </Button>
            <Button variant="primary" onClick={handleSaveChanges}>
                Save Changes
            </Button>
        </Modal.Footer>
    </Modal>);
};

const NodeContextMenu = ({nodeContextMenu, nodes, edges, setNodeContextMenu, setNodes, setEdges, theme, handleDataReturnToStreamlit}) => {
    
    const [showModal, setShowModal] = useState(false);
    const [modalClosing, setModalClosing] = useState(false);

    const handleClose = () => {
        setShowModal(false);
        setModalClosing(true);
    };

    const handleShow = () => setShowModal(true);

    const handleEditNode = (e) => {
        handleShow();
    }

    const handleDeleteNode = (e) => {
        if(nodeContextMenu.node.deletable)
        {
            const updatedNodes = nodes.filter(node => node.id !== nodeContextMenu.node.id)
            const updatedEdges = edges.filter(edge => edge.source !== nodeContextMenu.node.id && edge.target !== nodeContextMenu.node.id)
            setNodes(updatedNodes);
            setEdges(updatedEdges);
            handleDataReturnToStreamlit(updatedNodes, updatedEdges, null);
        }
        setNodeContextMenu(null);
    }

    return (
        <>
            <div style={{position: 'absolute', 
                            top: nodeContextMenu.top, 
                            left: nodeContextMenu.left, 
                            right: nodeContextMenu.right, 
                            bottom: nodeContextMenu.bottom,
                            backgroundColor: 'white',
                            borderRadius: '8px',
                            zIndex: 10}}>
                {(!showModal && !modalClosing) && <ButtonGroup vertical>
                    <Button variant="outline-primary" onClick={handleEditNode}><i className="bi bi-tools"></i> Edit Node</Button>
                    <Button variant={nodeContextMenu.node.deletable ? "outline-danger" : "secondary"} onClick={handleDeleteNode} disabled={!nodeContextMenu.node.deletable}><i className="bi bi-trash3"></i> Delete Node</Button>
                </ButtonGroup>}
            </div>
            <EditNodeModal show={showModal}
                node={nodeContextMenu.node}
                nodes={nodes}
                edges={edges}
                handleClose={handleClose}
                theme={theme.base}
                setNodeContextMenu={setNodeContextMenu}
                setModalClosing={setModalClosing}
                setNodes={setNodes}
                handleDataReturnToStreamlit={handleDataReturnToStreamlit}
                />    
        </>
    );
};

export default NodeContextMenu;