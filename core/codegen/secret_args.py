"""Activity arguments that use ``secret()``: markers in place of values, plus their paths.

The workflow never sees a secret's value: each ``secret("name")`` becomes a marker naming it,
and the call's input object gets one more field listing where the markers are, which the
worker's interceptor resolves (``core.secrets.markers``).
"""

from __future__ import annotations

import ast
from typing import Any

from core.codegen.errors import CompileError
from core.codegen.literals import python_literal
from core.codegen.references import rewritten, value
from core.codegen.syntax import const
from core.errors import ExpressionError
from core.expressions import parse_expression, unbounded, with_bounds
from core.graph.values import is_expression_value
from core.secrets.markers import AFTER, BEFORE, MARKER
from core.secrets.references import SecretPlacementError, SecretSite, rewrite_secret_sites

#: Where one marker is (the input object's field first) and the secret it names.
SecretPath = tuple[list[str | int], str]


def secret_argument(raw: Any, *, where: str, field: str, paths: list[SecretPath]) -> ast.expr:
    """The code of the input object's ``field``, with markers for its secrets (their paths go
    to paths).

    Raises:
        CompileError: a ``secret()`` stands where it cannot be resolved (validation normally
            caught it).
    """
    if not (is_expression_value(raw) and _secrets_of(raw["expr"])):
        return value(raw, where=where)

    def marker(site: SecretSite) -> ast.expr:
        paths.append(([field, *site.path], site.name))
        parts: dict[str, ast.expr] = {MARKER: const(site.name)}
        if site.before is not None:
            parts[BEFORE] = site.before
        if site.after is not None:
            parts[AFTER] = site.after
        return ast.Dict(keys=[const(key) for key in parts], values=list(parts.values()))

    # Secrets are found in the plain ``+`` and f-strings; the text computed around them in the
    # workflow gets the run-time bounds after.
    with unbounded():
        code = rewritten(raw["expr"], where)
    try:
        return with_bounds(rewrite_secret_sites(code, marker))
    except SecretPlacementError as error:
        raise CompileError(str(error), subject=where) from None


def secret_paths(paths: list[SecretPath], *, where: str) -> ast.expr:
    """The value of the input object's ``"$secret_paths"`` field: ``[[path, name], ...]``."""
    return python_literal([[path, name] for path, name in paths], where=where)


def _secrets_of(source: Any) -> frozenset[str]:
    try:
        return parse_expression(source).secrets if isinstance(source, str) else frozenset()
    except ExpressionError:
        return frozenset()  # the code generation of the value reports it
