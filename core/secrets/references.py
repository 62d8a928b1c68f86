"""Where ``secret("name")`` may stand in an activity argument, and which secrets a graph names.

A secret's value must never pass through the workflow (its history would hold it), so an
argument may hold ``secret("name")`` only where the compiler can swap it for a marker that the
activity's worker resolves: as the whole value, as an item of a list or object display, or
joined to other text with ``+`` or an f-string (the text around it is computed in the
workflow, the joining happens in the activity). One walk serves the validator and the compiler.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import ExpressionError, WorkflowBuilderError
from core.expressions import SECRET_FUNCTION, Expression, parse_expression

#: Where one part of an argument sits: object keys and list indexes from the argument down.
Path = tuple[str | int, ...]


class SecretPlacementError(WorkflowBuilderError):
    """``secret()`` stands where its value would pass through the workflow."""


@dataclass(frozen=True)
class SecretSite:
    """One ``secret()`` use in an argument, as the compiler replaces it.

    Attributes:
        name: the secret's name.
        path: where it sits inside the argument (empty: the argument is the secret).
        before: text put in front of the value (computed in the workflow), or None.
        after: text put after it, or None.
    """

    name: str
    path: Path
    before: ast.expr | None = None
    after: ast.expr | None = None


def rewrite_secret_sites(
    body: ast.expr, replace: Callable[[SecretSite], ast.expr], path: Path = ()
) -> ast.expr:
    """``body`` with every secret-bearing part swapped for ``replace(site)``.

    Containers on the way are rebuilt, never changed in place, so a cached tree can be walked.

    Raises:
        SecretPlacementError: a ``secret()`` stands anywhere else, or two are joined into one
            text, or one sits under an object key that is not written literally.
    """
    name = secret_name(body)
    if name is not None:
        return replace(SecretSite(name, path))
    if not contains_secret(body):
        return body
    if isinstance(body, ast.List | ast.Tuple):
        items = [rewrite_secret_sites(e, replace, (*path, i)) for i, e in enumerate(body.elts)]
        return ast.List(elts=items, ctx=ast.Load())
    if isinstance(body, ast.Dict):
        return _rewrite_object(body, replace, path)
    if isinstance(body, ast.BinOp) and isinstance(body.op, ast.Add):
        return _rewrite_joined(_added(body), replace, path, _sum)
    if isinstance(body, ast.JoinedStr):
        return _rewrite_joined(body.values, replace, path, _fstring)
    raise SecretPlacementError(_placement_reason(f"inside {_construct(body)}"))


def placement_problem(expression: Expression) -> str | None:
    """Why the expression's ``secret()`` uses cannot be an activity argument; None if they can."""
    if not expression.secrets:
        return None
    try:
        rewrite_secret_sites(expression.tree.body, lambda site: ast.Constant(value=None))
    except SecretPlacementError as error:
        return str(error)
    return None


def secret_name(node: ast.AST) -> str | None:
    """The name in ``secret("name")``, None for any other node."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == SECRET_FUNCTION
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def contains_secret(node: ast.AST) -> bool:
    """Whether a ``secret()`` call is anywhere in ``node``."""
    return any(secret_name(child) is not None for child in ast.walk(node))


def document_secrets(document: Any) -> frozenset[str]:
    """Names of the secrets a graph document's ``{"expr": ...}`` values read.

    Works on stored documents as they are (drafts may be invalid): text that does not parse
    reads no secret.
    """
    return frozenset(name for source in _expression_texts(document) for name in _read(source))


def _read(source: str) -> frozenset[str]:
    try:
        return parse_expression(source).secrets
    except ExpressionError:
        return frozenset()


def _expression_texts(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        if set(value) == {"expr"} and isinstance(value["expr"], str):
            yield value["expr"]
            return
        for item in value.values():
            yield from _expression_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _expression_texts(item)


def _rewrite_object(
    body: ast.Dict, replace: Callable[[SecretSite], ast.expr], path: Path
) -> ast.expr:
    literal_keys = [k.value for k in body.keys if isinstance(k, ast.Constant)]
    values: list[ast.expr] = []
    for key, value in zip(body.keys, body.values, strict=True):
        if key is not None and contains_secret(key):
            raise SecretPlacementError(_placement_reason("used as an object key"))
        if not contains_secret(value):
            values.append(value)
            continue
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise SecretPlacementError(
                _placement_reason("inside an object whose key is not text written literally")
            )
        if literal_keys.count(key.value) > 1:
            raise SecretPlacementError(
                _placement_reason(f"under the object key {key.value!r}, which is given twice")
            )
        values.append(rewrite_secret_sites(value, replace, (*path, key.value)))
    return ast.Dict(keys=list(body.keys), values=values)


def _rewrite_joined(
    parts: list[ast.expr],
    replace: Callable[[SecretSite], ast.expr],
    path: Path,
    join: Callable[[list[ast.expr]], ast.expr | None],
) -> ast.expr:
    """Text joined from parts (``+`` operands or f-string pieces) holding one secret."""
    found = [i for i, part in enumerate(parts) if _secret_in_part(part) is not None]
    if len(found) != 1 or sum(contains_secret(part) for part in parts) != 1:
        if len(found) > 1:
            raise SecretPlacementError(
                "one text may hold one secret() only; store the joined text as one secret"
            )
        inner = next(part for part in parts if contains_secret(part))
        raise SecretPlacementError(_placement_reason(f"inside {_construct(inner)}"))
    index = found[0]
    name = _secret_in_part(parts[index])
    assert name is not None
    return replace(SecretSite(name, path, join(parts[:index]), join(parts[index + 1 :])))


def _secret_in_part(part: ast.expr) -> str | None:
    # An f-string field qualifies only bare: a conversion or format would run in the workflow.
    if isinstance(part, ast.FormattedValue):
        if part.conversion != -1 or part.format_spec is not None:
            return None
        return secret_name(part.value)
    return secret_name(part)


def _added(node: ast.expr) -> list[ast.expr]:
    """The operands of a chain of ``+`` (text joining is associative, so nesting is moot)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [*_added(node.left), *_added(node.right)]
    return [node]


def _sum(parts: list[ast.expr]) -> ast.expr | None:
    if not parts:
        return None
    total = parts[0]
    for part in parts[1:]:
        total = ast.BinOp(left=total, op=ast.Add(), right=part)
    return total


def _fstring(parts: list[ast.expr]) -> ast.expr | None:
    if not parts:
        return None
    texts = [str(part.value) for part in parts if isinstance(part, ast.Constant)]
    if len(texts) == len(parts):
        return ast.Constant(value="".join(texts))  # plain text needs no f-string
    return ast.JoinedStr(values=parts)


def _placement_reason(where: str) -> str:
    return (
        "secret() may be a whole argument value, an item of a list or object, or text joined "
        f"with + or an f-string, so that its value never passes through the workflow; here it "
        f"is {where}"
    )


def _construct(node: ast.AST) -> str:
    """What a user wrote, in words, for the placement message."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return f"a call to '{node.func.id}'"
        if isinstance(node.func, ast.Attribute):
            return f"a call to the method '{node.func.attr}'"
    if isinstance(node, ast.FormattedValue):
        return "an f-string field with a conversion or format"
    if isinstance(node, ast.BinOp):
        return "arithmetic other than joining text with +"
    return _CONSTRUCTS.get(type(node), type(node).__name__)


_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.IfExp: "a conditional (x if c else y)",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.UnaryOp: "a unary operator",
    ast.Subscript: "an item access",
    ast.Attribute: "a field access",
    ast.Set: "a set",
    ast.Slice: "a slice",
    ast.JoinedStr: "an f-string joined with +",
}
