"""The node catalog: what each kind of node takes, where its edges go, what it defines."""

from core.nodes.kinds import CATALOG, NodeKind, Params, case_handle
from core.nodes.values import is_expression_value, parse_duration

__all__ = ["CATALOG", "NodeKind", "Params", "case_handle", "is_expression_value", "parse_duration"]
