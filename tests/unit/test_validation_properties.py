"""Property: any graph-shaped input validates or yields problems, never another exception."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import GraphFormatError
from core.graph import graph_from_dict
from core.nodes.catalog import CATALOG
from core.validation import validate

IDS = st.sampled_from(["start", "a", "b", "c", "d", "end", "x y", ""])
HANDLES = st.sampled_from(
    ["next", "true", "false", "error", "branch", "body", "done", "timeout", "default", "1"]
)
TEXT = st.text(alphabet=string.printable, max_size=20)
EXPRESSIONS = st.one_of(
    TEXT,
    st.sampled_from(
        ["input.x", "a + 1", "len(items) > 2", "x if y else z", "lambda: 1", "9**9**9", "item"]
    ),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False)
    | TEXT
    | EXPRESSIONS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["expr", "k", "name"]), inner, max_size=2)
    ),
    max_leaves=6,
)
PARAM_NAMES = st.sampled_from(
    [
        "activity",
        "args",
        "expression",
        "cases",
        "items",
        "collect",
        "result_variable",
        "duration",
        "signal",
        "variable",
        "timeout",
        "name",
        "workflow",
        "input",
        "result",
        "input_fields",
        "retry",
        "item_variable",
        "trigger",
        "start_to_close_timeout",
    ]
)


def params_for(kind: str):
    plausible = {
        "activity": st.fixed_dictionaries(
            {"activity": st.sampled_from(["echo", "fail", "nope"])},
            optional={
                "args": st.dictionaries(
                    st.sampled_from(["value", "message"]), JSON_VALUES, max_size=2
                ),
                "result_variable": st.sampled_from(["a", "input", "b"]),
            },
        ),
        "condition": st.fixed_dictionaries({"expression": EXPRESSIONS}),
        "set_variable": st.fixed_dictionaries(
            {"name": st.sampled_from(["a", "b", "len"]), "expression": EXPRESSIONS}
        ),
        "loop": st.fixed_dictionaries({"items": EXPRESSIONS}),
        "end": st.fixed_dictionaries({}, optional={"result": EXPRESSIONS}),
    }.get(kind)
    arbitrary = st.dictionaries(PARAM_NAMES, JSON_VALUES, max_size=3)
    return st.one_of(plausible, arbitrary) if plausible is not None else arbitrary


@st.composite
def graphs(draw):
    nodes = []
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from([*CATALOG, "bogus"]))
        nodes.append({"id": draw(IDS), "type": kind, "params": draw(params_for(kind))})
    edges = [
        {"id": f"e{index}", "source": draw(IDS), "target": draw(IDS), "handle": draw(HANDLES)}
        for index in range(draw(st.integers(0, 10)))
    ]
    signals = draw(
        st.lists(
            st.fixed_dictionaries({"name": st.sampled_from(["go", "state", "1x"])}), max_size=2
        )
    )
    queries = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["q", "state"]), "expression": EXPRESSIONS}
            ),
            max_size=2,
        )
    )
    return {
        "format": "workflow-builder/1",
        "workflow": {
            "name": draw(st.sampled_from(["w", "Bad Name", ""])),
            "signals": signals,
            "queries": queries,
        },
        "nodes": nodes,
        "edges": edges,
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_random_graphs_validate_or_report_problems(document):
    try:
        graph = graph_from_dict(document)
    except GraphFormatError:
        return
    problems = validate(graph)
    assert all(problem.message for problem in problems)
