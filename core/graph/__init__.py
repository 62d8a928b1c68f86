"""The workflow graph: its model and JSON format (validation lives in ``core.graph.validation``,
which needs the node catalog, which needs this package)."""

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
    "WorkflowMeta",
    "dump_graph",
    "graph_from_dict",
    "graph_json_schema",
    "graph_to_dict",
    "input_fields_from_json",
    "load_graph",
]
