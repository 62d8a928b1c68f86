"""Small constructors for the ``ast`` nodes generated code is built from."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar


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


def thunk(value: ast.expr) -> ast.Lambda:
    """``lambda: value``."""
    no_args = ast.arguments(
        posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[], vararg=None, kwarg=None
    )
    return ast.Lambda(args=no_args, body=value)


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
    """Source text of statements built with these constructors (what ``ast.unparse`` gives).

    They carry the line numbers ``ast.unparse`` reads, so no ``fix_missing_locations`` pass
    is needed (over a 10,000-node tree it would cost more than building it).
    """
    module = ast.Module(body=list(statements), type_ignores=[])
    if _FAST_UNPARSER is None:
        return ast.unparse(module)
    text: str = _FAST_UNPARSER().visit(module)
    return text


def _fast_unparser() -> Any:
    """A faster subclass of CPython's own unparser, or None where it is not ``ast._Unparser``.

    ``ast._Unparser`` is private: Python 3.9 to 3.13 have it, 3.14 moved it out of ``ast``.
    Without it the public ``ast.unparse`` serves, giving the same text 35% slower
    (tests/unit/test_compiler_text.py holds both to the golden files).
    """
    base = getattr(ast, "_Unparser", None)
    if base is None:
        return None

    class _Unparser(base):  # type: ignore[misc,valid-type]  # a class found at run time
        """``ast.unparse``'s unparser with cheaper dispatch and brackets: same text, sooner.

        CPython 3.11 sends every node through ``NodeVisitor.visit`` (a string concatenation
        and ``getattr`` per node) and wraps every bracket pair in a generator-based context
        manager; on the tens of thousands of nodes of a large workflow that was a quarter of
        compile time.
        """

        _methods: ClassVar[dict[type, Callable[[Any, Any], None]]] = {}

        def traverse(self, node: Any) -> None:
            if isinstance(node, list):
                for child in node:
                    self.traverse(child)
                return
            method = self._methods.get(type(node))
            if method is None:
                method = getattr(type(self), "visit_" + type(node).__name__)
                self._methods[type(node)] = method
            method(self, node)

        def delimit(self, start: str, end: str) -> _Closing:
            self._source.append(start)
            return _Closing(self._source, end)

    return _Unparser


class _Closing:
    """Appends the closing bracket when its ``with`` block ends."""

    __slots__ = ("_source", "_end")

    def __init__(self, source: list[str], end: str) -> None:
        self._source = source
        self._end = end

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        self._source.append(self._end)


#: The fast unparser class, or None to use ``ast.unparse`` (see :func:`_fast_unparser`).
_FAST_UNPARSER = _fast_unparser()
