"""Run-time bounds: the checked helpers, evaluate() with them, and the copy in workflow.py."""

from __future__ import annotations

import ast
import inspect
import math
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core import bounds
from core.bounds import HELPERS, MAX_ITEMS, MAX_NUMBER_DIGITS, MAX_TEXT_LENGTH, LimitError
from core.compiler import compile_graph, workflow_module
from core.compiler.workflow_module import bounds_source
from core.expressions import evaluate, parse_expression, to_python_ast, unbounded
from core.graph import graph_from_dict, load_graph
from core.graph.values import MAX_DURATION

INPUT: dict[str, Any] = {
    "s": "abc",
    "n": 3,
    "big": 10**9,
    "huge": 10**1000,
    "items": list(range(1000)),
    "lists": [[1] * 1000] * 1000,
    "texts": ["x" * 1000] * 2000,
    "long": "a" * 200_000,
    "f": math.inf,
    "nan": math.nan,
    "fmt": "%0999999999d",
    "tags": ["b", "a"],
}


def run(source: str, **variables: Any) -> Any:
    return evaluate(parse_expression(source), input=INPUT, variables=variables)


# The size bombs of issue 13 and their kin: each fails quickly, naming the limit.
BOMBS = [
    ("input.s * input.big", "the text built is 3,000,000,000 characters, more than the limit"),
    ("str(input.items) * 9999", "the text built is 48,895,110 characters"),
    ("input.s * 10**12", "the text built is 3,000,000,000,000 characters"),
    ("input.tags * input.big", "the list built has 2,000,000,000 items, more than the limit"),
    ("sum(input.lists, [])", "the list built has 101,000 items, more than the limit of 100,000"),
    ("input.long + input.long + input.long + input.long + input.long + input.long", "text built"),
    ("input.huge * input.huge * input.huge * input.huge * input.huge", "digits, more than"),
    ("input.huge ** 5", "the number built has about"),
    ("(input.huge * input.huge) ** 3", "the number built has about"),
    ("','.join(input.texts)", "the text built is 2,001,999 characters"),
    ("input.long.replace('a', 'aaaaaa')", "the text built is 1,200,000 characters"),
    ("input.long.replace('', '-----')", "the text built is 1,200,005 characters"),
    ("str([input.long] * 10)", "the text built would be at least"),
    ("f'{input.long}{input.long}{input.long}{input.long}{input.long}x'", "text built is 1,000,001"),
    ("f'{[input.long] * 6}'", "the text built would be at least"),
    ("sorted(input.s * 300000)", "the list built has 900,000 items"),
    ("input.fmt % 1", "% formatting of text is not allowed"),
]


@pytest.mark.parametrize(("source", "message"), BOMBS)
def test_size_bombs_fail_quickly_naming_the_limit(source: str, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(LimitError, match=message.replace("(", r"\(").replace("+", r"\+")):
        run(source)
    assert time.perf_counter() - started < 1.0


def test_limit_errors_are_value_errors_so_generated_code_fails_the_step() -> None:
    # DATA_ERRORS of workflow.py list ValueError: a LimitError fails the run, naming the step.
    assert issubclass(LimitError, ValueError)
    assert "ValueError" in workflow_module.DATA_ERRORS
    assert {"MemoryError", "RecursionError"} <= set(workflow_module.DATA_ERRORS)


def test_other_runaway_numbers_raise_data_errors_of_their_own() -> None:
    with pytest.raises(OverflowError):
        run("int(input.f)")
    with pytest.raises(ValueError):
        run("int(input.nan)")
    with pytest.raises(OverflowError):
        run("(input.big * 1e290) ** 2")


# What stays as Python computes it: the helpers only add checks.
SAME = [
    "input.s * input.n",
    "input.n * input.s",
    "[1, 2] * 2",
    "(1, 2) * 2",
    "input.s * -1",
    "input.s * True",
    "2.5 * input.n",
    "input.s + 'd'",
    "[1] + [2]",
    "input.n + 0.5",
    "2 ** 10",
    "2 ** -1",
    "2 ** 0.5",
    "(-8) ** 3",
    "7 % 3",
    "7.5 % 2",
    "str(input.items)[:20]",
    "str()",
    "sum(input.items)",
    "sum(input.items, 10)",
    "sum([[1], [2, 3]], [])",
    "sum([(1,), (2,)], ())",
    "sum([0.1, 0.2], start=1)",
    "sorted(input.tags)",
    "sorted(input.tags, reverse=True)",
    "sorted({'b': 1, 'a': 2})",
    "', '.join(input.tags)",
    "''.join(sorted(input.s))",
    "input.s.replace('b', 'BB')",
    "input.s.replace('b', 'BB', 0)",
    "'aaa'.replace('a', 'bb', 2)",
    "'aaa'.replace('', '-')",
    "f'{input.n:>5}|{input.s!r}|{input.tags}|{1.5:.2f}|{input.s!a}|{input.s!s:^7}'",
    "f'plain'",
]


@pytest.mark.parametrize("source", SAME)
def test_bounded_evaluation_agrees_with_plain_python(source: str) -> None:
    with unbounded():
        plain = run(source)
    assert run(source) == plain
    assert type(run(source)) is type(plain)


@pytest.mark.parametrize(
    "source",
    ["input.s + 1", "1 + input.s", "[1] + (2,)", "sum([[1], (2,)], [])", "sum(['a'], '')",
     "', '.join([1, 2])", "input.tags.join(', ')", "input.items.replace('a', 'b')",
     "sorted([1, 'a'])", "f'{input.s:d}'"],
)  # fmt: skip
def test_bounded_evaluation_raises_the_same_errors(source: str) -> None:
    with unbounded(), pytest.raises(Exception) as plain:
        run(source)
    with pytest.raises(plain.type):
        run(source)


def test_unbounded_code_uses_the_plain_operators() -> None:
    expression = parse_expression("str(x) * 2 + f'{y}'")

    def rewritten() -> str:
        return ast.unparse(
            to_python_ast(
                expression,
                input_ref=ast.Name(id="i", ctx=ast.Load()),
                variable_ref=lambda name: ast.Name(id=name, ctx=ast.Load()),
            )
        )

    assert rewritten() == "_add(_mul(_str(x), 2), _fstring((y, '', '')))"
    with unbounded():
        assert rewritten() == "str(x) * 2 + f'{y}'"
    assert rewritten().startswith("_add(")


def _rewritten(source: str) -> str:
    return ast.unparse(
        to_python_ast(
            parse_expression(source),
            input_ref=ast.Name(id="i", ctx=ast.Load()),
            variable_ref=lambda name: ast.Name(id=name, ctx=ast.Load()),
        )
    )


def test_adding_a_number_written_literally_uses_the_plain_operator() -> None:
    # A loop's `count + 1` costs no helper call; anything that may join texts or lists does.
    assert _rewritten("count + 1") == "count + 1"
    assert _rewritten("0.5 + count * 2") == "0.5 + _mul(count, 2)"
    assert _rewritten("count + '1'") == "_add(count, '1')"
    assert _rewritten("count + True") == "_add(count, True)"
    assert _rewritten("a + b") == "_add(a, b)"
    assert _rewritten("-1 + count") == "-1 + count"


@pytest.mark.parametrize(
    "value", [0, -7, 10**1000, 2.5, math.inf, "ab", [1], (1,), None, {"a": 1}, True]
)
@pytest.mark.parametrize("number", [1, 0.5])
def test_adding_a_number_plainly_agrees_with_the_checked_helper(value: Any, number: Any) -> None:
    # The plain operator stands in for _add only where _add checks nothing: evaluating the
    # expression (plain) and calling the helper give the same result, or the same error.
    add = HELPERS["_add"]
    for source, checked in [
        (f"v + {number!r}", lambda: add(value, number)),
        (f"{number!r} + v", lambda: add(number, value)),
    ]:
        try:
            expected = run(source, v=value)
        except Exception as error:
            with pytest.raises(type(error)):
                checked()
        else:
            assert checked() == expected and type(checked()) is type(expected)


def test_durations_are_checked_numbers_of_seconds() -> None:
    duration = HELPERS["_duration"]
    assert duration(1.5) == timedelta(seconds=1.5)
    # The same longest duration as one written literally.
    assert duration(MAX_DURATION.total_seconds()) == MAX_DURATION
    with pytest.raises(ValueError, match="between 0 and 315,360,000 \\(10 years\\)"):
        duration(MAX_DURATION.total_seconds() + 1)
    assert duration(0) == timedelta(0)
    for bad, error in [
        (-5, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (1e308, ValueError),
        ("5", TypeError),
        (True, TypeError),
        (None, TypeError),
        ({"s": 1}, TypeError),
    ]:
        with pytest.raises(error, match="duration"):
            duration(bad)


def test_payload_refuses_data_too_large_for_temporal_in_a_few_steps() -> None:
    payload = HELPERS["_payload"]
    small = {"a": [1, 2.5, None, "x" * 1000]}
    assert payload(small) is small
    started = time.perf_counter()
    with pytest.raises(LimitError, match="the data sent would be at least"):
        payload(["x" * 1_000_000] * 100_000)  # 100 GB as JSON, never written out
    with pytest.raises(LimitError):
        payload("é" * 400_000)  # JSON writes each as \u00e9
    assert time.perf_counter() - started < 0.5


def test_limits_are_documented() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "expressions.md"
    text = docs.read_text(encoding="utf-8")
    for value in (MAX_TEXT_LENGTH, MAX_ITEMS, MAX_NUMBER_DIGITS):
        assert f"{value:,}" in text


# -- the copy in generated workflow.py -----------------------------------------------------------


def _embedded() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    imports = workflow_module._IMPORTS.replace("from temporalio", "# from temporalio")
    exec(compile(imports + bounds_source(), "<workflow.py>", "exec"), namespace)
    return namespace


def test_workflow_imports_provide_what_the_bounds_import() -> None:
    tree = ast.parse(inspect.getsource(bounds))
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    }
    provided = {
        alias.asname or alias.name
        for node in ast.parse(workflow_module._IMPORTS).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported <= provided


@pytest.mark.parametrize("source", SAME + [source for source, _ in BOMBS])
def test_the_copy_in_workflow_py_behaves_as_core_bounds(source: str) -> None:
    embedded = _embedded()
    code = compile(
        ast.Expression(
            body=to_python_ast(
                parse_expression(source),
                input_ref=ast.Name(id="INPUT", ctx=ast.Load()),
                variable_ref=lambda name: ast.Name(id=name, ctx=ast.Load()),
            )
        ),
        "<expression>",
        "eval",
    )

    def outcome(namespace: dict[str, Any]) -> Any:
        try:
            return eval(code, {**namespace, "INPUT": INPUT})
        except Exception as error:  # noqa: BLE001  # compared, whatever it is
            return type(error).__name__, str(error)

    assert outcome(embedded) == outcome(dict(HELPERS))
    assert set(HELPERS) <= set(embedded)


def _top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return names


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_workflow_py_carries_the_bounds_it_uses_with_what_they_need_and_no_more(
    example: Path,
) -> None:
    # The sandbox compiles workflow.py for every run (without a bytecode cache): lines cost.
    of_bounds = _top_level_names(ast.parse(inspect.getsource(bounds))) - {"HELPERS"}
    tree = ast.parse(compile_graph(load_graph(example.read_bytes())).files["workflow.py"])
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    copied = _top_level_names(tree) & of_bounds
    assert read & of_bounds <= copied, "a helper is used but not defined"
    assert copied <= read, "a helper is defined but not used"


def test_a_workflow_without_expressions_carries_almost_none_of_the_bounds() -> None:
    source = compile_graph(load_graph((EXAMPLES[0].parent / "hello_activity.json").read_bytes()))
    copied = _top_level_names(ast.parse(source.files["workflow.py"]))
    assert "_payload" in copied  # the activity's arguments and the result are sized
    assert not {"_mul", "_pow", "_sum", "_sorted", "_fstring", "_duration"} & copied


def test_data_a_step_sends_is_sized_before_it_leaves_the_workflow() -> None:
    # Activity arguments, a child's input and the run's result: too large for one Temporal
    # payload fails the step naming it, instead of a workflow task Temporal retries for ever.
    source = compile_graph(load_graph((EXAMPLES[0].parent / "child_workflow.json").read_bytes()))
    tree = ast.parse(source.files["workflow.py"])
    calls = {
        ast.unparse(node.func): node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func).startswith("workflow.execute_")
    }
    child = calls["workflow.execute_child_workflow"]
    assert ast.unparse(child.args[1]).startswith("_payload(")
    returns = [node for node in ast.walk(tree) if isinstance(node, ast.Return) and node.value]
    assert any(ast.unparse(node.value).startswith("_payload(") for node in returns)


def test_text_computed_around_a_secret_is_bounded_too() -> None:
    from tests.unit.test_secrets import graph_with

    headers = '{"A": input.url * 2 + secret("crm_token") + str(input.url)}'
    code = compile_graph(graph_from_dict(graph_with(headers))).files["workflow.py"]
    assert '"before": _mul(self.input["url"], 2)' in code
    assert '"after": _str(self.input["url"])' in code
    assert "secret(" not in code
