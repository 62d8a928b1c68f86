"""Small constructors for the ``ast`` nodes generated code is built from."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from typing import Any


def name(identifier: str) -> ast.Name:
    """A bare name (always a fixed or synthetic identifier, never user text)."""
    return ast.Name(id=identifier, ctx=ast.Load())


def store(identifier: str) -> ast.Name:
    """A name as an assignment target."""
    return ast.Name(id=identifier, ctx=ast.Store())


def dotted(path: str) -> ast.expr:
    """``"self.vars"`` -> ``Attribute(Name("self"), "vars")``."""
    head, *rest = path.split(".")
    node: ast.expr = name(head)
    for part in rest:
        node = ast.Attribute(value=node, attr=part, ctx=ast.Load())
    return node


def const(value: Any) -> ast.Constant:
    """A constant; the only way user text enters generated code."""
    return ast.Constant(value=value)


def item(container: ast.expr, key: str, *, ctx: ast.expr_context | None = None) -> ast.Subscript:
    """``container[key]`` with a constant key."""
    return ast.Subscript(value=container, slice=const(key), ctx=ctx or ast.Load())


def call(
    func: ast.expr | str, positional: Sequence[ast.expr] = (), /, **keywords: ast.expr
) -> ast.Call:
    """``func(*positional, **keywords)``; a str func is a dotted path."""
    return ast.Call(
        func=dotted(func) if isinstance(func, str) else func,
        args=list(positional),
        keywords=[ast.keyword(arg=key, value=value) for key, value in keywords.items()],
    )


def awaited(value: ast.expr) -> ast.Await:
    """``await value``."""
    return ast.Await(value=value)


def assign(target: ast.expr, value: ast.expr) -> ast.Assign:
    """``target = value``."""
    # unparse reads the line number of assignments (for type comments); 0 means none.
    return ast.Assign(targets=[target], value=value, lineno=0)


def expr_stmt(value: ast.expr) -> ast.Expr:
    """An expression used as a statement."""
    return ast.Expr(value=value)


def body(statements: Iterable[ast.stmt]) -> list[ast.stmt]:
    """A statement list that is never empty (``pass`` stands in for nothing)."""
    result = list(statements)
    return result or [ast.Pass()]


def parse_statements(source: str) -> list[ast.stmt]:
    """Statements from fixed source text of the compiler (never from user text)."""
    return ast.parse(source).body


def unparse(statements: Sequence[ast.stmt]) -> str:
    """Source text of statements built with these constructors.

    They carry the line numbers ``ast.unparse`` reads, so no ``fix_missing_locations`` pass
    is needed (over a 10,000-node tree it would cost more than building it).
    """
    return ast.unparse(ast.Module(body=list(statements), type_ignores=[]))
