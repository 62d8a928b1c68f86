"""The workflow graph: its model, JSON format and control-flow analysis (node kinds live in
``core.nodes``, validation in ``core.validation``; neither is imported from here)."""

from core.graph.document import (
    dump_graph,
    graph_from_dict,
    graph_json_schema,
    graph_to_dict,
    input_fields_from_json,
    load_graph,
)
from core.graph.model import (
    FORMAT,
    Edge,
    Graph,
    InputField,
    Node,
    Position,
    QueryDecl,
    SignalDecl,
    SignalUpdate,
    UpdateDecl,
    WorkflowMeta,
)

__all__ = [
    "FORMAT",
    "Edge",
    "Graph",
    "InputField",
    "Node",
    "Position",
    "QueryDecl",
    "SignalDecl",
    "SignalUpdate",
    "UpdateDecl",
    "WorkflowMeta",
    "dump_graph",
    "graph_from_dict",
    "graph_json_schema",
    "graph_to_dict",
    "input_fields_from_json",
    "load_graph",
]
