"""Loop graphs for the loop tests (validation, code, and runs on a server): nested for-each
loops, and a counting while loop."""

from __future__ import annotations

from typing import Any

from core.nodes.kinds.while_loop import DEFAULT_HISTORY_LIMIT
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


def counting(
    limit: int = DEFAULT_HISTORY_LIMIT,
    *,
    step: dict[str, Any] | None = None,
    nap_every: int | None = None,
    signal: bool = False,
) -> dict[str, Any]:
    """count = 0; while count < input.n: [``step``,] count = count + 1 (and, with
    ``nap_every``, a zero-length timer when count is a multiple of it); then (with ``signal``)
    wait for a ``go`` signal whose payload, and ``note`` (set by the signal's update), the run
    returns. ``limit`` is the loop's continue_as_new_after.

    The timers make the history grow (5 events each), as a loop that waits on the server does:
    one that never waits adds next to nothing (its pauses are local activities)."""
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "start",
            "params": {
                "input_fields": [
                    {"name": "n", "type": "integer", "default": 10},
                ]
            },
        },
        {"id": "zero", "type": "set_variable", "params": {"name": "count", "expression": "0"}},
        {
            "id": "spin",
            "type": "while_loop",
            "params": {
                "condition": "count < input.n",
                "max_iterations": 1_000_000,
                "continue_as_new_after": limit,
            },
        },
        {
            "id": "add",
            "type": "set_variable",
            "params": {"name": "count", "expression": "count + 1"},
        },
    ]
    edges = [("start", "zero", "next"), ("zero", "spin", "next")]
    if step is None:
        edges.append(("spin", "add", "body"))
    else:
        nodes.append(step)
        edges += [("spin", step["id"], "body"), (step["id"], "add", "next")]
    if nap_every is None:
        edges.append(("add", "spin", "next"))
    else:
        due = {"expression": f"count % {int(nap_every)} == 0"}
        nodes.append({"id": "due", "type": "condition", "params": due})
        nodes.append({"id": "nap", "type": "timer", "params": {"duration": {"expr": "0"}}})
        edges += [
            ("add", "due", "next"),
            ("due", "nap", "true"),
            ("nap", "spin", "next"),
            ("due", "spin", "false"),
        ]
    workflow: dict[str, Any] = {"name": "count_on", "signals": [], "queries": []}
    result = "count"
    if signal:
        workflow["signals"] = [
            {
                "name": "go",
                "fields": [{"name": "word", "type": "string"}],
                "updates": [{"variable": "note", "action": "set", "field": "word"}],
            }
        ]
        nodes.append(
            {"id": "wait", "type": "wait_signal", "params": {"signal": "go", "variable": "got"}}
        )
        edges += [("spin", "wait", "done"), ("wait", "end", "next")]
        result = "[count, got, note]"
    else:
        edges.append(("spin", "end", "done"))
    nodes.append({"id": "end", "type": "end", "params": {"result": result}})
    return {
        "format": "workflow-builder/1",
        "workflow": workflow,
        "nodes": nodes,
        "edges": [
            {"id": f"e{i}", "source": s, "target": t, "handle": h}
            for i, (s, t, h) in enumerate(edges)
        ],
    }
