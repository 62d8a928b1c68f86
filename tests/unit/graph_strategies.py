"""Graph builders and hypothesis strategies for valid, structured workflow graphs.

A graph is drawn as a tree of steps (chains, conditions, switches, parallels with a join,
loops and parallel for-eaches, while/until loops whose body may break or continue, waits
until a signal sets a variable, waits for any of two signals) and laid out into
``workflow-builder/1`` nodes and edges: each block is entered by a
list of dangling ``(source, handle)`` edges and hands its own dangling edges on.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

Step = tuple[Any, ...]
Block = list[Step]


@dataclass
class GraphBuilder:
    """Accumulates nodes and edges of one graph document."""

    name: str = "generated"
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    workflow: dict[str, Any] = field(default_factory=dict)
    #: Put before the variables set steps set: each parallel for-each body has its own, as its
    #: steps may not set a variable set outside it.
    prefix: str = ""
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def node(self, node_type: str, params: dict[str, Any], label: str = "") -> str:
        """Add a node; return its id (``n<counter>``)."""
        node_id = f"n{next(self._ids)}"
        self.nodes.append({"id": node_id, "type": node_type, "label": label, "params": params})
        return node_id

    def declare_signal(self, signal: dict[str, Any]) -> None:
        """Declare a signal in the workflow settings, once."""
        signals = self.workflow.setdefault("signals", [])
        if all(known["name"] != signal["name"] for known in signals):
            signals.append(signal)

    def connect(self, dangling: list[tuple[str, str]], target: str) -> None:
        """Add an edge from every dangling ``(source, handle)`` to ``target``."""
        for source, handle in dangling:
            self.edges.append(
                {
                    "id": f"e{len(self.edges) + 1}",
                    "source": source,
                    "target": target,
                    "handle": handle,
                }
            )

    def document(self) -> dict[str, Any]:
        """The graph as a JSON-ready dict."""
        return {
            "format": "workflow-builder/1",
            "workflow": {"name": self.name, **self.workflow},
            "nodes": self.nodes,
            "edges": self.edges,
        }


def layout(block: Block, *, name: str = "generated", input_fields: list | None = None) -> dict:
    """Lay a block of steps out between a start and an end node."""
    builder = GraphBuilder(name=name)
    start = builder.node("start", {"input_fields": input_fields or []}, "Start")
    dangling = lay_block(builder, block, [(start, "next")])
    end = builder.node("end", {"result": "'done'"}, "End")
    builder.connect(dangling, end)
    return builder.document()


def lay_block(
    builder: GraphBuilder, block: Block, dangling: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Lay out steps one after another; return the block's dangling edges."""
    for step in block:
        dangling = lay_step(builder, step, dangling)
    return dangling


def lay_step(
    builder: GraphBuilder, step: Step, dangling: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Lay out one step (see :data:`STEPS` for the shapes)."""
    kind, label = step[0], step[1]
    if kind == "activity":
        node = builder.node("activity", {"activity": "echo", "args": {"value": step[2]}}, label)
        builder.connect(dangling, node)
        return [(node, "next")]
    if kind == "set":
        params = {"name": builder.prefix + step[2], "expression": step[3]}
        node = builder.node("set_variable", params, label)
        builder.connect(dangling, node)
        return [(node, "next")]
    if kind == "timer":
        node = builder.node("timer", {"duration": "1s"}, label)
        builder.connect(dangling, node)
        return [(node, "next")]
    if kind == "wait_until":
        # Waits for a variable the "finish" signal sets (declared with the first such step).
        builder.declare_signal({"name": "finish", "updates": [{"variable": "done", "value": True}]})
        params = {"condition": step[2], **({"timeout": step[3]} if step[3] else {})}
        node = builder.node("wait_until", params, label)
        builder.connect(dangling, node)
        return [(node, "next"), (node, "timeout")] if step[3] else [(node, "next")]
    if kind == "if":
        node = builder.node("condition", {"expression": "input.flag"}, label)
        builder.connect(dangling, node)
        return lay_block(builder, step[2], [(node, "true")]) + lay_block(
            builder, step[3], [(node, "false")]
        )
    if kind == "switch":
        cases = [f"c{i}" for i in range(len(step[2]))]
        node = builder.node("switch", {"expression": "input.choice", "cases": cases}, label)
        builder.connect(dangling, node)
        out = lay_block(builder, step[3], [(node, "default")])
        for case, case_block in zip(cases, step[2], strict=True):
            out += lay_block(builder, case_block, [(node, case)])
        return out
    if kind == "parallel":
        node = builder.node("parallel", {}, label)
        builder.connect(dangling, node)
        ends = [d for branch in step[2] for d in lay_block(builder, branch, [(node, "branch")])]
        join = builder.node("join", {}, "Join")
        builder.connect(ends, join)
        return [(join, "next")]
    if kind == "loop":
        params = {"items": "input.items", "item_variable": "item", "max_iterations": 5}
        node = builder.node("loop", params, label)
        builder.connect(dangling, node)
        builder.connect(lay_block(builder, step[2], [(node, "body")]), node)
        return [(node, "done")]
    if kind == "while":
        # A while or until loop over the input; its body may end with a condition whose true
        # branch is a break or continue node (the false one goes back to the loop).
        params = {"condition": "input.flag", "mode": step[3], "max_iterations": 5}
        node = builder.node("while_loop", params, label)
        builder.connect(dangling, node)
        back = lay_block(builder, step[2], [(node, "body")])
        if step[4] is not None:
            exit_if = builder.node("condition", {"expression": "not input.flag"}, "Leave?")
            builder.connect(back, exit_if)
            builder.connect([(exit_if, "true")], builder.node(step[4], {}, "Leave"))
            back = [(exit_if, "false")]
        builder.connect(back, node)
        return [(node, "done")]
    if kind == "wait_any":
        # Either of two signals, each with its branch, and the timeout's when there is one.
        for name in ("left", "right"):
            builder.declare_signal({"name": name})
        params = {"signals": ["left", "right"], "variable": builder.prefix + "picked"}
        node = builder.node("wait_any", {**params, **({"timeout": "1s"} if step[3] else {})}, label)
        builder.connect(dangling, node)
        out = lay_block(builder, step[2][0], [(node, "left")])
        out += lay_block(builder, step[2][1], [(node, "right")])
        return out + (lay_block(builder, step[3], [(node, "timeout")]) if step[3] else [])
    if kind == "parallel_loop":
        params = {"items": "input.items", "item_variable": "item", "max_iterations": 5}
        node = builder.node("parallel_loop", {**params, "limit": step[3]}, label)
        builder.connect(dangling, node)
        outer, builder.prefix = builder.prefix, f"{builder.prefix}{node}_"
        builder.connect(lay_block(builder, step[2], [(node, "body")]), node)
        builder.prefix = outer
        return [(node, "done")]
    if kind == "fail_if":
        # A branch that fails the run: the flow goes on only through "false".
        node = builder.node("condition", {"expression": "not input.flag"}, label)
        builder.connect(dangling, node)
        failing = lay_block(builder, step[2], [(node, "true")])
        builder.connect(failing, builder.node("fail", {"message": step[3]}, "Fail"))
        return [(node, "false")]
    raise ValueError(f"unknown step kind {kind!r}")


INPUT_FIELDS = [
    {"name": "flag", "type": "boolean", "default": True},
    {"name": "choice", "type": "string", "default": "c0"},
    {"name": "items", "type": "array", "default": [1, 2]},
]

LABELS = st.text(max_size=30)
JSON_LITERALS = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8).filter(lambda k: k != "expr"), inner, max_size=3)
    ),
    max_leaves=6,
)
ARG_VALUES = JSON_LITERALS | st.text(max_size=30).map(lambda s: {"expr": repr(s)})
VARIABLES = st.sampled_from(["a", "b", "total", "message"])


def _simple_steps() -> st.SearchStrategy[Step]:
    return st.one_of(
        st.tuples(st.just("activity"), LABELS, ARG_VALUES),
        st.tuples(st.just("set"), LABELS, VARIABLES, st.text(max_size=20).map(repr)),
        st.tuples(st.just("timer"), LABELS),
        st.tuples(
            st.just("wait_until"),
            LABELS,
            st.sampled_from(["done", "done or input.flag", "done is not None and len(done) > 0"]),
            st.sampled_from([None, "1s", {"expr": "2"}]),
        ),
    )


def _blocks(steps: st.SearchStrategy[Step], *, min_size: int) -> st.SearchStrategy[Block]:
    return st.lists(steps, min_size=min_size, max_size=3)


STEPS: st.SearchStrategy[Step] = st.recursive(
    _simple_steps(),
    lambda inner: st.one_of(
        st.tuples(st.just("if"), LABELS, _blocks(inner, min_size=0), _blocks(inner, min_size=0)),
        st.tuples(
            st.just("switch"),
            LABELS,
            st.lists(_blocks(inner, min_size=0), min_size=1, max_size=3),
            _blocks(inner, min_size=0),
        ),
        st.tuples(
            st.just("parallel"),
            LABELS,
            st.lists(_blocks(inner, min_size=1), min_size=2, max_size=3),
        ),
        st.tuples(st.just("loop"), LABELS, _blocks(inner, min_size=1)),
        st.tuples(
            st.just("while"),
            LABELS,
            _blocks(inner, min_size=1),
            st.sampled_from(["while", "until"]),
            st.sampled_from([None, "break_loop", "continue_loop"]),
        ),
        st.tuples(
            st.just("parallel_loop"),
            LABELS,
            _blocks(inner, min_size=1),
            st.integers(1, 3),
        ),
        st.tuples(
            st.just("wait_any"),
            LABELS,
            st.tuples(_blocks(inner, min_size=0), _blocks(inner, min_size=0)),
            st.none() | _blocks(inner, min_size=0),
        ),
    ),
    max_leaves=12,
)


#: A condition whose true branch runs a block and then a fail node. Only at the top level: a
#: branch that leaves a parallel by failing is one that does not meet the others at the join,
#: which validation refuses (as for an end node there).
FAIL_STEPS: st.SearchStrategy[Step] = st.tuples(
    st.just("fail_if"),
    LABELS,
    _blocks(STEPS, min_size=0),
    st.text(max_size=20).filter(str.strip) | st.text(max_size=20).map(lambda s: {"expr": repr(s)}),
)


#: Workflow updates with random texts: each appends its input's ``n`` to ``seen`` (which it
#: thereby defines), with or without a validator and a result over ``args`` and ``seen``.
UPDATES: st.SearchStrategy[list[dict[str, Any]]] = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["add", "count", "reset"]),
            "description": st.text(max_size=20),
            "fields": st.just([{"name": "n", "type": "integer", "required": True}]),
            "updates": st.just([{"variable": "seen", "action": "append", "field": "n"}]),
        },
        optional={
            "validator": st.sampled_from(["args.n > 0", "args.n not in (seen or [])"]),
            "refusal": st.text(min_size=1, max_size=20),
            "result": st.sampled_from(["len(seen)", "seen", "args.n * 2"]),
        },
    ),
    max_size=2,
    unique_by=lambda update: update["name"],
)


def _with_updates(document: dict[str, Any], updates: list[dict[str, Any]]) -> dict[str, Any]:
    if updates:
        document["workflow"]["updates"] = updates
    return document


def structured_graphs() -> st.SearchStrategy[dict]:
    """Documents of valid structured graphs with random labels and literal arguments, and
    workflow updates."""
    blocks = st.lists(STEPS | FAIL_STEPS, min_size=0, max_size=4)
    return st.tuples(blocks, UPDATES).map(
        lambda drawn: _with_updates(layout(drawn[0], input_fields=INPUT_FIELDS), drawn[1])
    )
