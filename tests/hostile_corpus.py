"""A corpus of hostile and careless inputs: expressions, text fields, names, task queues,
signals and run inputs, each as a graph document plus what a run of it is given.

Every item must be refused with a clear message (validation, the reader, the services) or,
once accepted, run to a terminal state within a bounded time: tests/unit/test_hostile_corpus.py
holds the first part, tests/integration/test_hostile_runs.py the runs on a real dev server.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Any

#: Marks user text, so a test can prove it reaches generated code only as string constants.
MARK = "HOSTILE"

#: Fields of the standard input every expression item's graph declares.
INPUT_FIELDS = [
    {"name": "s", "type": "string", "default": "ab"},
    {"name": "n", "type": "number", "default": 3},
    {"name": "f", "type": "number", "default": 1.5},
    {"name": "items", "type": "array", "default": [1, 2, 3]},
    {"name": "lists", "type": "array", "default": [[1], [2]]},
    {"name": "obj", "type": "object", "default": {"a": 1}},
]


@dataclass(frozen=True)
class Item:
    """One hostile case.

    Attributes:
        id: short name, unique in the corpus.
        area: what it attacks (expression, text, name, task_queue, graph, input, signal).
        document: the graph.
        run_input: the input a run is started with (None: the defaults).
        signals: (name, payload) pairs sent to the run after it starts.
        refused: True when validation must refuse it, False when it must be accepted,
            None when either is fine (then a run must end).
        failing_step: the node a failed run must name, when it is known to fail.
    """

    id: str
    area: str
    document: dict[str, Any]
    run_input: Any = None
    signals: tuple[tuple[str, Any], ...] = ()
    refused: bool | None = None
    failing_step: str | None = None
    tags: frozenset[str] = field(default_factory=frozenset)


def graph(
    name: str,
    nodes: list[dict[str, Any]],
    *,
    workflow: dict[str, Any] | None = None,
    fields: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """start -> nodes... -> end (returning ``out`` when a node sets it), chained by edges."""
    start = {
        "id": "start",
        "type": "start",
        "label": "Start",
        "params": {"input_fields": copy.deepcopy(INPUT_FIELDS if fields is None else fields)},
    }
    sets_out = any(node.get("params", {}).get("name") == "out" for node in nodes)
    end = {
        "id": "end",
        "type": "end",
        "label": "End",
        "params": {"result": "out"} if sets_out else {},
    }
    chain = [start, *nodes, end]
    edges = [
        {"id": f"e{index}", "source": a["id"], "target": b["id"], "handle": "next"}
        for index, (a, b) in enumerate(zip(chain, chain[1:], strict=False))
    ]
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, **(workflow or {})},
        "nodes": chain,
        "edges": edges,
    }


def _calc(expression: Any) -> dict[str, Any]:
    return {
        "id": "calc",
        "type": "set_variable",
        "label": "Calc",
        "params": {"name": "out", "expression": expression},
    }


def code_outside_strings(tree: ast.AST) -> str:
    """The source with every string constant emptied (f-string parts included)."""

    class Blank(ast.NodeTransformer):
        def visit_Constant(self, node: ast.Constant) -> ast.Constant:
            return ast.Constant(value="") if isinstance(node.value, str) else node

    return ast.unparse(Blank().visit(tree))


# -- expressions -------------------------------------------------------------------------------

#: Refused by the expression checker: escapes, unbounded constructs, syntax.
_REFUSED_EXPRESSIONS = [
    "__import__('os').system('id')",
    "().__class__.__bases__[0].__subclasses__()",
    "input.__class__",
    "input.s.__len__()",
    "open('/etc/passwd').read()",
    "getattr(input, 'x')",
    "eval('1')",
    "exec('x=1')",
    "lambda: 1",
    "[x for x in input.items]",
    "{x: 1 for x in input.items}",
    "(x for x in input.items)",
    "(y := 1)",
    "10 ** 10 ** 10",
    "2 ** input.n",
    "'a' * 10 ** 9",
    "'a' * 100000",
    "[0] * 99999999",
    "'%s' % input.s",
    "f'{input.s:>999999999}'",
    "f'{input.s:{input.n}}'",
    "123456789012345678901234567890",
    "1j",
    "...",
    "input.s.format(1)",
    "input.s.zfill(10**9)",
    "input.s.center(10**9)",
    "~input.n",
    "input.n << 100000",
    "input.n @ input.n",
    "*input.items",
    "{**input.obj}",
    "import os",
    "x = 1",
    "",
    "   ",
    "1 +",
    "[" * 200 + "]" * 200,
    "-" * 3000 + "1",
    "'" + "a" * 2100 + "'",
    "secret('token')",
    "print(1)",
    "type(input)",
    "vars()",
    "globals()",
    "input.s.encode()",
    "'x'.join(['a'] * 10001)",
    "str(input.items) * 99999",
]

#: Accepted statically; at run time they either give a value or fail naming the step.
_RUNTIME_EXPRESSIONS: list[tuple[str, str, Any, bool]] = [
    # (id, expression, run input, must fail)
    ("repeat_huge_n", "input.s * input.n", {"n": 10**12}, True),
    ("repeat_negative_ok", "input.s * input.n", {"n": -5}, False),
    ("repeat_str_items", "str(input.items) * 9999", {"items": list(range(10_000))}, True),
    ("repeat_literal_huge", "input.s * 10**12", None, True),
    ("sum_lists", "sum(input.lists, [])", {"lists": [[0] * 100] * 3000}, None),
    ("sum_lists_small", "sum(input.lists, [])", None, False),
    ("list_repeat", "input.items * input.n", {"n": 10**10}, True),
    ("concat_growth", "input.s + input.s + input.s", {"s": "x" * 1_000_000}, None),
    ("join_big", "input.s.join(input.items)", {"s": "x" * 100_000, "items": ["a"] * 100_000}, True),
    ("replace_big", "input.s.replace('a', input.s)", {"s": "a" * 100_000}, True),
    ("int_huge_pow", "input.n ** 64", {"n": 10**6}, None),
    ("float_overflow", "input.f ** 64", {"f": 1e300}, True),
    ("div_zero", "input.n / 0", None, True),
    ("mod_zero", "input.n % 0", None, True),
    ("missing_field", "input.nope", None, None),
    ("missing_key", "input.obj['zz']", None, True),
    ("index_error", "input.items[99]", None, True),
    ("type_error", "input.s + input.n", None, True),
    ("int_of_text", "int(input.s)", None, True),
    ("int_of_inf", "int(input.f)", {"f": 1e309}, True),
    ("float_of_text", "float(input.s)", None, True),
    ("max_empty", "max(input.items)", {"items": []}, True),
    ("sorted_mixed", "sorted(input.items)", {"items": [1, "a", None]}, True),
    ("sorted_big", "sorted(input.items)", {"items": list(range(200_000, 0, -1))}, None),
    ("str_of_deep", "str(input.obj)", {"obj": {"a": [[[[1]]]]}}, False),
    ("len_of_number", "len(input.n)", None, True),
    ("none_attr", "input.obj.a.b", None, True),
    ("round_huge", "round(input.f, 400)", None, None),
    ("str_huge_int", "str(input.n)", {"n": 10**4000}, None),
    ("bool_mix", "input.s and input.n or input.items", None, False),
    ("compare_types", "input.s < input.n", None, True),
    ("in_number", "1 in input.n", None, True),
    ("slice_huge", "input.s[0:10**18]", None, False),
    ("split_many", "input.s.split(',')", {"s": "," * 500_000}, None),
    ("unicode_upper", "input.s.upper()", {"s": "ß" * 100_000}, None),
    ("fstring_many", "f'{input.s}{input.s}{input.s}{input.s}'", {"s": "x" * 400_000}, None),
    ("dict_get_default", "input.obj.get('zz', input.s)", None, False),
    ("abs_text", "abs(input.s)", None, True),
    ("list_of_number", "list(input.n)", None, True),
    ("any_of_text", "any(input.s)", None, False),
]


def _expression_items() -> list[Item]:
    items = [
        Item(
            f"expr_refused_{index}",
            "expression",
            graph("hostile_expr", [_calc(source)]),
            refused=True,
        )
        for index, source in enumerate(_REFUSED_EXPRESSIONS)
    ]
    for item_id, source, run_input, fails in _RUNTIME_EXPRESSIONS:
        items.append(
            Item(
                f"expr_{item_id}",
                "expression",
                graph("hostile_expr", [_calc(source)]),
                run_input=run_input,
                refused=None if item_id == "missing_field" else False,
                failing_step="calc" if fails else None,
            )
        )
    return items


# -- text fields -------------------------------------------------------------------------------

_TEXTS = {
    "quotes": f'{MARK} "double" \'single\' """triple"""',
    "code": f"{MARK} __import__('os').system('id') # ",
    "break_out": f'{MARK} "); import os; ("',
    "newlines": f"{MARK} line\nline\r\nline\u2028",
    "control": f"{MARK} \x00\x01\x1b[31m\x7f",
    "format": f"{MARK} {{self.vars}} {{0}} %s %(x)s",
    "unicode": f"{MARK} é ß 漢字 🙂 \u202e mirrored",
    "long": f"{MARK} " + "x" * 100_000,
    "surrogate": f"{MARK} \ud800 lone",
    "low_surrogate": f"{MARK} \udfff lone",
    "backslashes": f"{MARK} \\n \\x00 \\u0000 \\",
    "html": f"{MARK} <script>alert(1)</script> [link](javascript:alert(1))",
}


def _text_items() -> list[Item]:
    items = []
    for key, text in _TEXTS.items():
        refused = "surrogate" in key
        activity = {
            "id": "say",
            "type": "activity",
            "label": text,
            "params": {"activity": "echo", "args": {"value": text}, "result_variable": "out"},
        }
        places: dict[str, dict[str, Any]] = {
            "label": graph("hostile_text", [activity]),
            "description": graph(
                "hostile_text", [_calc("input.s")], workflow={"description": text}
            ),
            "field_description": graph(
                "hostile_text",
                [_calc("input.s")],
                fields=[{"name": "s", "type": "string", "default": "ab", "description": text}],
            ),
            "field_default": graph(
                "hostile_text",
                [_calc("input.s")],
                fields=[{"name": "s", "type": "string", "default": text}],
            ),
            "signal_description": graph(
                "hostile_text",
                [_calc("input.s")],
                workflow={"signals": [{"name": "poke", "description": text}]},
            ),
            "query_description": graph(
                "hostile_text",
                [_calc("input.s")],
                workflow={"queries": [{"name": "peek", "description": text, "expression": "out"}]},
            ),
            "literal_expression": graph("hostile_text", [_calc(repr(text[:1500]))]),
            "switch_case": _switch_graph(text[:200]),
        }
        for place, document in places.items():
            # A literal's escapes (repr) carry even a lone surrogate as plain ASCII source.
            expected = None if place == "literal_expression" else refused
            items.append(Item(f"text_{key}_{place}", "text", document, refused=expected))
    return items


def _switch_graph(case: str) -> dict[str, Any]:
    document = graph(
        "hostile_text",
        [
            {
                "id": "pick",
                "type": "switch",
                "label": "Pick",
                "params": {"expression": "input.s", "cases": [case]},
            },
        ],
    )
    document["edges"] = [
        {"id": "e0", "source": "start", "target": "pick", "handle": "next"},
        {"id": "e1", "source": "pick", "target": "end", "handle": "default"},
        {"id": "e2", "source": "pick", "target": "end", "handle": case},
    ]
    return document


# -- names -------------------------------------------------------------------------------------

#: Names no position accepts (workflow, node id, variable, signal).
_BAD_NAMES = ["x\n", "bad name", "", "a" * 70, "é", "x\u200b", "a\x00", "a;b", "\ud800", "a\tb"]
#: Names that only a workflow refuses (they become Temporal type and module names).
_BAD_WORKFLOW_NAMES = ["Order", "1abc", "a-b", "a.b", "_x", "a" * 64]


def _name_items() -> list[Item]:
    items = []
    for index, name in enumerate(_BAD_NAMES):
        items.append(
            Item(f"name_workflow_{index}", "name", graph(name, [_calc("input.s")]), refused=True)
        )
        bad_node = graph("hostile_name", [_calc("input.s")])
        bad_node["nodes"][1]["id"] = name
        bad_node["edges"][0]["target"] = name
        bad_node["edges"][1]["source"] = name
        items.append(Item(f"name_node_{index}", "name", bad_node, refused=True))
        variable = graph(
            "hostile_name",
            [{"id": "calc", "type": "set_variable", "params": {"name": name, "expression": "1"}}],
        )
        items.append(Item(f"name_variable_{index}", "name", variable, refused=True))
        signal = graph("hostile_name", [_calc("input.s")], workflow={"signals": [{"name": name}]})
        items.append(Item(f"name_signal_{index}", "name", signal, refused=True))
    for index, name in enumerate(_BAD_WORKFLOW_NAMES):
        items.append(
            Item(
                f"name_workflow_only_{index}", "name", graph(name, [_calc("input.s")]), refused=True
            )
        )
    for keyword in ("class", "input", "state", "__x", "len", "secret"):
        variable = graph(
            "hostile_name",
            [
                {
                    "id": "calc",
                    "type": "set_variable",
                    "params": {"name": keyword, "expression": "1"},
                }
            ],
        )
        items.append(Item(f"name_reserved_{keyword}", "name", variable, refused=True))
    edge = graph("hostile_name", [_calc("input.s")])
    edge["edges"][0]["id"] = "e0\n"
    items.append(Item("name_edge_newline", "name", edge, refused=True))
    child = graph(
        "hostile_name", [{"id": "kid", "type": "child_workflow", "params": {"workflow": "other\n"}}]
    )
    items.append(Item("name_child_newline", "name", child, refused=True))
    return items


# -- task queues -------------------------------------------------------------------------------

_BAD_QUEUES = [
    "",
    "   ",
    "q\n",
    "\tq",
    "q" * 10_000,
    "é" * 600,
    "/_sys/mine",
    " q",
    "q\x00",
    "\ud800",
]


def _queue_items() -> list[Item]:
    items = []
    for index, queue in enumerate(_BAD_QUEUES):
        items.append(
            Item(
                f"queue_workflow_{index}",
                "task_queue",
                graph("hostile_queue", [_calc("input.s")], workflow={"task_queue": queue}),
                refused=True,
            )
        )
        activity = {
            "id": "say",
            "type": "activity",
            "params": {"activity": "echo", "args": {"value": "x"}, "task_queue": queue},
        }
        items.append(
            Item(
                f"queue_activity_{index}",
                "task_queue",
                graph("hostile_queue", [activity]),
                refused=True,
            )
        )
    return items


# -- whole graphs ------------------------------------------------------------------------------


def _ladder(conditions: int) -> dict[str, Any]:
    document = graph("hostile_graph", [])
    nodes = document["nodes"]
    ids = [f"c{i}" for i in range(conditions)] + ["end", "end"]
    edges = [{"id": "e_start", "source": "start", "target": "c0", "handle": "next"}]
    for i in range(conditions):
        nodes.insert(-1, {"id": ids[i], "type": "condition", "params": {"expression": "True"}})
        edges.append({"id": f"t{i}", "source": ids[i], "target": ids[i + 1], "handle": "true"})
        edges.append({"id": f"f{i}", "source": ids[i], "target": ids[i + 2], "handle": "false"})
    document["edges"] = edges
    return document


def _nested_loops(outer: int, inner: int) -> dict[str, Any]:
    document = graph(
        "hostile_loops",
        [],
        fields=[
            {"name": "outer", "type": "array", "default": list(range(outer))},
            {"name": "inner", "type": "array", "default": list(range(inner))},
        ],
    )
    document["nodes"][1:1] = [
        {
            "id": "rows",
            "type": "loop",
            "params": {
                "items": "input.outer",
                "item_variable": "row",
                "max_iterations": max(outer, 1),
            },
        },
        {
            "id": "cols",
            "type": "loop",
            "params": {
                "items": "input.inner",
                "item_variable": "col",
                "max_iterations": max(inner, 1),
            },
        },
        {"id": "touch", "type": "set_variable", "params": {"name": "last", "expression": "col"}},
    ]
    document["edges"] = [
        {"id": "e0", "source": "start", "target": "rows", "handle": "next"},
        {"id": "e1", "source": "rows", "target": "cols", "handle": "body"},
        {"id": "e2", "source": "cols", "target": "touch", "handle": "body"},
        {"id": "e3", "source": "touch", "target": "cols", "handle": "next"},
        {"id": "e4", "source": "cols", "target": "rows", "handle": "done"},
        {"id": "e5", "source": "rows", "target": "end", "handle": "done"},
    ]
    return document


def _timer(duration: Any, run_input: Any, item_id: str) -> Item:
    timer = {"id": "wait", "type": "timer", "params": {"duration": duration}}
    return Item(
        item_id,
        "graph",
        graph("hostile_timer", [timer]),
        run_input=run_input,
        refused=False,
        failing_step="wait",
    )


def _graph_items() -> list[Item]:
    return [
        Item("graph_ladder_40", "graph", _ladder(40), refused=True),
        Item("graph_ladder_6", "graph", _ladder(6), refused=False),
        Item("graph_nested_loops_huge", "graph", _nested_loops(10_000, 10_000), refused=True),
        Item("graph_nested_loops_busy", "graph", _nested_loops(100, 100), refused=False),
        _timer({"expr": "input.n"}, {"n": -5}, "graph_timer_negative"),
        _timer({"expr": "input.f"}, {"f": 1e308}, "graph_timer_huge"),
        _timer({"expr": "input.s"}, {"s": "soon"}, "graph_timer_text"),
        _timer({"expr": "input.obj"}, None, "graph_timer_object"),
        Item(
            "graph_timer_zero_literal",
            "graph",
            graph("hostile_timer", [{"id": "wait", "type": "timer", "params": {"duration": "0s"}}]),
            refused=True,
        ),
        Item("graph_no_start", "graph", {**graph("hostile_graph", []), "nodes": []}, refused=True),
        Item("graph_cycle", "graph", _cycle(), refused=True),
    ]


def _cycle() -> dict[str, Any]:
    document = graph("hostile_graph", [_calc("1")])
    document["edges"].append({"id": "back", "source": "calc", "target": "calc", "handle": "next"})
    return document


# -- run inputs and signals --------------------------------------------------------------------


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


#: Inputs a run of the plain echo graph is started with: refused before sending, or the run
#: fails or completes.
RUN_INPUTS: list[tuple[str, Any]] = [
    ("deep_10000", {"s": _deep(10_000)}),
    ("deep_list_5000", {"items": [[[[]]]] * 2 + [_deep(5000)]}),
    ("int_5001_digits", {"n": 10**5001 - 1}),
    ("int_4000_digits", {"n": 10**4000 - 1}),
    ("text_3mb", {"s": "x" * 3_000_000}),
    ("text_1mb", {"s": "x" * 1_000_000}),
    ("many_keys", {"obj": {f"k{i}": i for i in range(200_000)}}),
    ("list_not_object", [1, 2, 3]),
    ("text_not_object", "hello"),
    ("number_not_object", 42),
    ("null_input", None),
    ("wrong_type", {"s": 5}),
    ("nan", {"f": float("nan")}),
    ("infinity", {"f": float("inf")}),
    ("surrogate_value", {"s": "\ud800"}),
    ("surrogate_key", {"\udfff": 1}),
    ("empty_key", {"": 1}),
    ("unknown_fields", {"zzz": 1, "yyy": [1, 2]}),
    ("bool_for_number", {"n": True}),
    ("huge_float", {"f": 1e308}),
    ("nested_lists", {"lists": [[i] * 10 for i in range(10_000)]}),
    ("unicode", {"s": "é ß 漢字 🙂 \u202e"}),
    ("control_chars", {"s": "\x00\x1b[31m"}),
    ("key_with_dots", {"a.b": 1, "__class__": 2}),
    ("big_array", {"items": list(range(300_000))}),
]

#: The echo graph: its run returns the input field ``s`` (the run must end either way).
ECHO_GRAPH = graph("hostile_input", [_calc("input.s")])

#: The signal graph: waits for ``go`` (fields ``count`` number required, ``note`` string).
SIGNAL_GRAPH = graph(
    "hostile_signal",
    [
        {"id": "init", "type": "set_variable", "params": {"name": "out", "expression": "None"}},
        {
            "id": "wait",
            "type": "wait_signal",
            "params": {"signal": "go", "variable": "got", "timeout": "20s"},
        },
        {"id": "calc", "type": "set_variable", "params": {"name": "out", "expression": "got"}},
    ],
    workflow={
        "signals": [
            {
                "name": "go",
                "fields": [
                    {"name": "count", "type": "number", "required": True},
                    {"name": "note", "type": "string"},
                ],
            }
        ]
    },
)
SIGNAL_GRAPH["edges"].append(
    {"id": "timeout", "source": "wait", "target": "end", "handle": "timeout"}
)


#: Signal payloads: every bad one is refused before sending, or rejected by the run without
#: failing it (the last good one then completes the run).
SIGNAL_PAYLOADS: list[tuple[str, Any]] = [
    ("missing_required", {"note": "x"}),
    ("wrong_type", {"count": "three"}),
    ("not_object", [1, 2]),
    ("text", "go"),
    ("deep", {"count": 1, "note": _deep(10_000)}),
    ("huge", {"count": 1, "note": "x" * 3_000_000}),
    ("huge_int", {"count": 10**5001 - 1}),
    ("unknown_field", {"count": 1, "zzz": 2}),
    ("surrogate", {"count": 1, "note": "\ud800"}),
    ("null", None),
]


def corpus() -> list[Item]:
    """Every graph item (inputs and signals are listed in RUN_INPUTS and SIGNAL_PAYLOADS)."""
    items = [
        *_expression_items(),
        *_text_items(),
        *_name_items(),
        *_queue_items(),
        *_graph_items(),
    ]
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)), "corpus ids must be unique"
    return items
