"""Graphs of nested loops for the loop budget tests (validation, code, and runs on a server)."""

from __future__ import annotations

from typing import Any

from tests.hostile_corpus import graph


def nested_loops(
    outer: int, inner: int, *, step: dict[str, Any] | None = None, limit: int | None = None
) -> dict[str, Any]:
    """start -> rows(outer) -> cols(inner) -> step -> ... -> end returning ``count``.

    ``step`` is the inner body (default: count the iterations); ``limit`` is both loops'
    max_iterations (default: the list lengths).
    """
    fields = [
        {"name": "outer", "type": "array", "default": list(range(outer))},
        {"name": "inner", "type": "array", "default": list(range(inner))},
    ]
    document = graph("loops", [], fields=fields)
    body = step or {
        "id": "touch",
        "type": "set_variable",
        "params": {"name": "count", "expression": "count + 1"},
    }
    document["nodes"][1:1] = [
        {"id": "zero", "type": "set_variable", "params": {"name": "count", "expression": "0"}},
        _loop("rows", "input.outer", "row", limit or max(outer, 1)),
        _loop("cols", "input.inner", "col", limit or max(inner, 1)),
        body,
    ]
    document["nodes"][-1]["params"] = {"result": "count"}
    document["edges"] = [
        {"id": "e0", "source": "start", "target": "zero", "handle": "next"},
        {"id": "e1", "source": "zero", "target": "rows", "handle": "next"},
        {"id": "e2", "source": "rows", "target": "cols", "handle": "body"},
        {"id": "e3", "source": "cols", "target": body["id"], "handle": "body"},
        {"id": "e4", "source": body["id"], "target": "cols", "handle": "next"},
        {"id": "e5", "source": "cols", "target": "rows", "handle": "done"},
        {"id": "e6", "source": "rows", "target": "end", "handle": "done"},
    ]
    return document


def _loop(node_id: str, items: str, variable: str, limit: int) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "loop",
        "params": {"items": items, "item_variable": variable, "max_iterations": limit},
    }
