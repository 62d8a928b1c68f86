"""Validation of workflow graphs: every problem at once, each naming its node or edge and field.

It sits above the node catalog, whose kinds own their rules, and below the compiler, which
works from the :class:`CheckedGraph` it returns.
"""

from core.validation.graph import (
    MAX_LOOP_ITERATIONS,
    CheckedGraph,
    GraphInvalidError,
    Problem,
    check,
    validate,
)

__all__ = [
    "MAX_LOOP_ITERATIONS",
    "CheckedGraph",
    "GraphInvalidError",
    "Problem",
    "check",
    "validate",
]
