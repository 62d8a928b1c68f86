"""Tests for the restricted expression language: what it allows, rejects, reads and emits."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.bounds import HELPERS
from core.errors import ExpressionError
from core.expressions import (
    ALLOWED_FUNCTIONS,
    ALLOWED_METHODS,
    MAX_SOURCE_LENGTH,
    Expression,
    evaluate,
    parse_expression,
    to_python_ast,
)

INPUT = {
    "amount": 150,
    "name": " Ada Lovelace ",
    "tags": ["b", "a", "c"],
    "items": [{"price": 2.5, "qty": 2}, {"price": 1.0, "qty": 3}],
    "customer": {"tier": "gold", "address": {"city": "Paris"}},
    "flag": True,
    "missing": None,
    "csv": "x,y,z",
}
VARIABLES = {"total": 10, "status": "ok", "result": {"code": 200, "body": "done"}, "count": 4}

ALLOWED = [
    # literals and names
    ("42", 42),
    ("-3.5", -3.5),
    ("'hi'", "hi"),
    ("True", True),
    ("None", None),
    ("[1, 2]", [1, 2]),
    ("(1, 'a')", (1, "a")),
    ("{'a': 1, 'b': total}", {"a": 1, "b": 10}),
    ("{1, 2} == {2, 1}", True),
    ("total", 10),
    ("input", INPUT),
    # attribute and item access
    ("input.amount", 150),
    ("input['amount']", 150),
    ("input.customer.address.city", "Paris"),
    ("input.items[1].qty", 3),
    ("input.tags[-1]", "c"),
    ("input.tags[0:2]", ["b", "a"]),
    ("input.tags[::-1]", ["c", "a", "b"]),
    ("result.code", 200),
    # arithmetic
    ("total + 5 * 2", 20),
    ("total / 4", 2.5),
    ("total // 3", 3),
    ("total % 3", 1),
    ("2 ** 10", 1024),
    ("2 ** -1", 0.5),
    ("9 ** 0.5", 3.0),
    ("(2 ** 64) ** 64", 2**4096),
    ("'ab' * 3", "ababab"),
    ("3 * [0]", [0, 0, 0]),
    ("count * 3", 12),
    ("'a' + status", "aok"),
    # comparisons and boolean logic
    ("input.amount > 100 and status == 'ok'", True),
    ("1 < total <= 10", True),
    ("'a' in input.tags", True),
    ("'z' not in input.tags", True),
    ("input.missing is None", True),
    ("not input.flag or total != 10", False),
    ("input.amount if input.flag else 0", 150),
    # allowed functions
    ("len(input.tags)", 3),
    ("str(total)", "10"),
    ("int('7') + float('0.5')", 7.5),
    ("bool(0)", False),
    ("round(2.567, 2)", 2.57),
    ("min(3, 1, 2) + max([4, 5])", 6),
    ("sum([1, 2, 3])", 6),
    ("sorted(input.tags)", ["a", "b", "c"]),
    ("sorted(input.tags, reverse=True)", ["c", "b", "a"]),
    ("abs(-4)", 4),
    ("any([False, input.flag]) and all([1, 2])", True),
    ("list('ab')", ["a", "b"]),
    ("dict(a=1)", {"a": 1}),
    # allowed methods
    ("input.name.strip().upper()", "ADA LOVELACE"),
    ("input.name.lower().strip()", "ada lovelace"),
    ("input.name.strip().startswith('Ada')", True),
    ("input.name.rstrip().endswith('lace')", True),
    ("input.csv.split(',')", ["x", "y", "z"]),
    ("', '.join(sorted(input.tags))", "a, b, c"),
    ("status.replace('o', '0').title()", "0K"),
    ("input.customer.get('tier')", "gold"),
    ("input.get('nope', 'default')", "default"),
    ("sorted(input.customer.keys())", ["address", "tier"]),
    ("input.csv.count(',') + input.csv.find('y')", 4),
    ("'42'.isdigit()", True),
    ("s.replace('&', ' and ').replace('<', ' lt ')", "a and b lt c"),
    # f-strings
    ("f'{status}!'", "ok!"),
    ("f'{input.items[0].price:.2f} EUR'", "2.50 EUR"),
    ("f'{total:>5}|{status!r}'", "   10|'ok'"),
]
ALLOWED_VARIABLES = {**VARIABLES, "s": "a&b<c"}


@pytest.mark.parametrize(("source", "expected"), ALLOWED)
def test_allowed_expression_evaluates_to_expected_value(source: str, expected: Any) -> None:
    assert evaluate(parse_expression(source), input=INPUT, variables=ALLOWED_VARIABLES) == expected


@pytest.mark.parametrize(("source", "expected"), ALLOWED)
def test_rewritten_expression_unparses_compiles_and_agrees(source: str, expected: Any) -> None:
    rewritten = to_python_ast(
        parse_expression(source),
        input_ref=ast.parse("self.input", mode="eval").body,
        variable_ref=lambda name: ast.Subscript(
            value=ast.parse("self.vars", mode="eval").body,
            slice=ast.Constant(value=name),
            ctx=ast.Load(),
        ),
    )
    generated = ast.unparse(rewritten)
    code = compile(generated, "<generated>", "eval")

    class Workflow:
        input = INPUT
        vars = ALLOWED_VARIABLES

    assert eval(code, {"self": Workflow, **HELPERS}) == expected
    # The location info lets compile take the tree itself, not only its unparsed text.
    compile(ast.Expression(body=rewritten), "<generated>", "eval")


DENIED = [
    ("lambda: 1", "lambda"),
    ("import os", "import"),
    ("from os import path", "import"),
    ("x = 1", "assignment"),
    ("(y := 1)", "walrus (:=)"),
    ("open('f')", "call to 'open'"),
    ("eval('1')", "call to 'eval'"),
    ("getattr(x, 'y')", "call to 'getattr'"),
    ("__import__('os')", "call to '__import__'"),
    ("x.__class__", "dunder name '__class__'"),
    ("__builtins__", "dunder name '__builtins__'"),
    ("input.__dict__.keys()", "dunder name '__dict__'"),
    ("''.__class__.__mro__", "dunder name '__mro__'"),
    ("'{0.__class__}'.format(x)", "call to method 'format'"),
    ("x.pop()", "call to method 'pop'"),
    ("x[0]()", "call of a computed value"),
    ("len", "function 'len' used as a value"),
    ("sorted(x, key=len)", "function 'len' used as a value"),
    ("[a for a in x]", "list comprehension"),
    ("{a for a in x}", "set comprehension"),
    ("{a: 1 for a in x}", "dict comprehension"),
    ("sum(a for a in x)", "generator expression"),
    ("len(*x)", "starred (*)"),
    ("[*x]", "starred (*)"),
    ("dict(**x)", "dict unpacking (**)"),
    ("{**x}", "dict unpacking (**)"),
    ("await x", "await"),
    ("(yield x)", "yield"),
    ("9**9**9", "power with a large exponent"),
    ("2**100000", "power with a large exponent"),
    ("x ** y", "power with a large exponent"),
    ("'a'*10**9", "repetition with a large count"),
    ("[0]*10**9", "repetition with a large count"),
    ("'a' * 10001", "repetition with a large count"),
    ("'-' * width", "repetition with a large count"),
    ("((2**64)**64)**64", "nested growing operations"),
    ("('ab' * 1000) * 1000", "nested growing operations"),
    (
        "'x'.replace('x', 'xxx').replace('x', 'xxx')" + ".replace('x', 'xxx')" * 7,
        "nested growing operations",
    ),
    ("'abc'.join(" * 7 + "x" + ")" * 7, "nested growing operations"),
    ("123456789012345678901", "huge number literal"),
    ("'%999999999d' % 1", "% string formatting"),
    ("f'{x:>999999999}'", "f-string format spec"),
    ("f'{x:{w}}'", "computed format spec"),
    ("1 << 100000000", "bitwise operator '<<'"),
    ("~x", "bitwise operator '~'"),
    ("1j", "complex number literal"),
    ("...", "ellipsis (...)"),
    ("-" * 100 + "1", "deep nesting"),
    ("x" * (MAX_SOURCE_LENGTH + 1), "too long"),
    ("1 +", "syntax"),
    ("", "syntax"),
    ("1; 2", "syntax"),
    ("a\x00", "syntax"),
    ("def f(): pass", "def"),
    ("if x: y", "if statement"),
]


@pytest.mark.parametrize(("source", "construct"), DENIED)
def test_denied_expression_names_the_construct(source: str, construct: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(source)
    assert caught.value.construct == construct
    assert caught.value.reason.endswith(".")


def test_syntax_error_reason_gives_line_and_column() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression("  total +* 2")
    assert caught.value.construct == "syntax"
    assert "line 1, column 10" in caught.value.reason


def test_empty_expression_says_so() -> None:
    with pytest.raises(ExpressionError, match="empty"):
        parse_expression("   ")


def test_variables_and_input_fields_are_extracted() -> None:
    expression = parse_expression(
        "input.amount > limit and input['tier'] == tier.name "
        "and len(input.get('tags', [])) < count and input[key] and input.a.b"
    )
    assert expression.variables == {"limit", "tier", "count", "key"}
    assert expression.input_fields == {"amount", "tier", "tags", "a"}


def test_whole_input_reads_no_field() -> None:
    expression = parse_expression("len(input) + len(input.keys())")
    assert expression.variables == frozenset()
    assert expression.input_fields == frozenset()


def test_attribute_becomes_item_access_but_method_calls_stay() -> None:
    rewritten = to_python_ast(
        parse_expression("order.customer.name.upper() + input.note.get('x')"),
        input_ref=ast.Name(id="INPUT", ctx=ast.Load()),
        variable_ref=lambda name: ast.Name(id=f"var_{name}", ctx=ast.Load()),
    )
    assert (
        ast.unparse(rewritten)
        == "_add(var_order['customer']['name'].upper(), INPUT['note'].get('x'))"
    )


def test_method_name_without_call_is_a_field() -> None:
    expression = parse_expression("result.keys")
    assert evaluate(expression, input={}, variables={"result": {"keys": 3}}) == 3


def test_rewrite_leaves_the_parsed_tree_untouched_and_shares_no_nodes() -> None:
    expression = parse_expression("input.a + input.b + x.y")
    before = ast.dump(expression.tree)
    input_ref = ast.Name(id="INPUT", ctx=ast.Load())
    rewritten = to_python_ast(
        expression, input_ref=input_ref, variable_ref=lambda name: ast.Name(id=name, ctx=ast.Load())
    )
    assert ast.dump(expression.tree) == before
    # Contexts and operators are singletons in CPython; expression nodes must all be distinct.
    expressions = [node for node in ast.walk(rewritten) if isinstance(node, ast.expr)]
    assert input_ref not in expressions
    assert len({id(node) for node in expressions}) == len(expressions)
    assert all(hasattr(node, "lineno") for node in expressions)


def test_same_source_gives_identical_generated_code() -> None:
    def generate() -> str:
        return ast.unparse(
            to_python_ast(
                parse_expression("f'{a.b:.1f}' if c else d.e.strip()"),
                input_ref=ast.Name(id="INPUT", ctx=ast.Load()),
                variable_ref=lambda name: ast.Name(id=name, ctx=ast.Load()),
            )
        )

    assert generate() == generate()


def test_evaluate_sees_only_the_allowed_functions() -> None:
    # A variable named like a builtin that is not allowed is just a variable.
    expression = parse_expression("open")
    assert expression.variables == {"open"}
    with pytest.raises(KeyError):
        evaluate(expression, input={}, variables={})


def test_expression_is_a_frozen_value() -> None:
    expression = parse_expression("1")
    assert isinstance(expression, Expression)
    with pytest.raises(AttributeError):
        expression.source = "2"  # type: ignore[misc]


def test_allowed_lists_hold_no_dangerous_names() -> None:
    assert not {"format", "format_map", "__getattribute__", "mro"} & ALLOWED_METHODS
    assert not {"eval", "exec", "open", "getattr", "type", "vars", "range"} & ALLOWED_FUNCTIONS


def _parses_or_rejects(source: str) -> None:
    try:
        result = parse_expression(source)
    except ExpressionError as error:
        assert error.construct and error.reason
    else:
        assert isinstance(result, Expression)


# The parser warns about text such as `1if`; the warning is not what these tests check.
@pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_expression_error(source: str) -> None:
    _parses_or_rejects(source)


_TOKENS = [
    "input", "x", ".", "a", "__class__", "(", ")", "[", "]", "{", "}", ",", ":", "**", "*",
    "+", "-", "%", "<<", "'s'", "f'{x}'", "1", "10", "9", "len", "open", "upper", "lambda",
    "if", "else", "for", "in", "not", "and", ":=", "=", "import", " ", "\n", "yield", "await",
    "...", "1j", "#", "\\", '"', "join", "replace",
]  # fmt: skip


@pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25))
def test_python_like_token_soup_parses_or_raises_expression_error(tokens: list[str]) -> None:
    _parses_or_rejects("".join(tokens))
