"""Expressions and literal-or-expression values rewritten over ``self.input`` and ``self.vars``."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from core.codegen.errors import CompileError
from core.codegen.literals import duration_literal, python_literal
from core.codegen.sharing import shared
from core.codegen.syntax import call, dotted, item
from core.errors import ExpressionError
from core.expressions import UPDATE_ARGS, parse_expression, run_time_bounds, to_python_ast
from core.graph.values import is_expression_value

_INPUT = dotted("self.input")


def _variable(variable: str) -> ast.expr:
    return item(dotted("self.vars"), variable)


def _query_variable(variable: str) -> ast.expr:
    # A query may arrive before the variable is set; it then answers None instead of failing.
    return call(
        ast.Attribute(value=dotted("self.vars"), attr="get", ctx=ast.Load()),
        [ast.Constant(value=variable)],
    )


def _update_reference(variable: str) -> ast.expr:
    # In an update's expressions ``args`` is the update's input (the handler's local ``data``).
    if variable == UPDATE_ARGS:
        return ast.Name(id="data", ctx=ast.Load())
    return _query_variable(variable)


def update_expression(source: str, *, where: str) -> ast.expr:
    """The code of a workflow update's validator or result expression: ``args`` is the
    update's input, and variables not set yet read None (as in a query).

    Raises:
        CompileError: the expression does not parse (validation normally caught it).
    """
    return _rewrite(source, where, _update_reference)


def expression(source: str, *, where: str, in_query: bool = False) -> ast.expr:
    """The code of an expression, as evaluated in the workflow (or in a query handler).

    Raises:
        CompileError: the expression does not parse (validation normally caught it).
    """
    return shared(("expression", source, in_query), lambda: rewritten(source, where, in_query))


def rewritten(source: str, where: str, in_query: bool = False) -> ast.expr:
    """The code of an expression, built afresh (never shared), for callers that rebuild it.

    Raises:
        CompileError: the expression does not parse (validation normally caught it).
    """
    return _rewrite(source, where, _query_variable if in_query else _variable)


def _rewrite(source: str, where: str, variable_ref: Callable[[str], ast.expr]) -> ast.expr:
    try:
        parsed = parse_expression(source)
    except ExpressionError as error:
        raise CompileError(str(error), subject=where) from None
    # The compiler only unparses generated trees, so they need no line numbers.
    return to_python_ast(parsed, input_ref=_INPUT, variable_ref=variable_ref, locations=False)


def value(raw: Any, *, where: str) -> ast.expr:
    """A literal-or-expression param: ``{"expr": "..."}`` is evaluated, anything else literal."""
    if is_expression_value(raw):
        return expression(raw["expr"], where=where)
    return python_literal(raw, where=where)


def duration_value(raw: Any, *, where: str) -> ast.expr:
    """A duration param: ``"30s"`` or ``{"expr": ...}`` giving seconds, as a ``timedelta``.

    An expression's seconds go through core.bounds ``_duration``, which fails the step on a
    negative, non-finite, huge or non-number value (Temporal would retry the task for ever).
    """
    if is_expression_value(raw):
        seconds = expression(raw["expr"], where=where)
        if not run_time_bounds():
            return call("timedelta", seconds=seconds)
        return call("_duration", [seconds])
    return duration_literal(raw, where=where)
