"""The workflow graph: model, JSON format, control-flow analysis and validation."""

from core.graph.document import (
    dump_graph,
    graph_from_dict,
    graph_json_schema,
    graph_to_dict,
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
from core.graph.validation import CheckedGraph, GraphInvalidError, Problem, check, validate

__all__ = [
    "FORMAT",
    "CheckedGraph",
    "Edge",
    "Graph",
    "GraphInvalidError",
    "InputField",
    "Node",
    "Position",
    "Problem",
    "QueryDecl",
    "SignalDecl",
    "WorkflowMeta",
    "check",
    "dump_graph",
    "graph_from_dict",
    "graph_json_schema",
    "graph_to_dict",
    "load_graph",
    "validate",
]
