"""JSON values and durations as ``ast`` literals, through an allow-list of exact types."""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from typing import Any

from core.codegen.errors import CompileError
from core.codegen.sharing import shared
from core.codegen.syntax import call, const
from core.graph.values import parse_duration

# Largest unit first: "1h30m" becomes timedelta(hours=1, minutes=30).
_UNITS_MS = (("days", 86_400_000), ("hours", 3_600_000), ("minutes", 60_000), ("seconds", 1000))


def python_literal(value: Any, *, where: str = "") -> ast.expr:
    """The literal for a JSON value: None, bool, int, float, str, lists and string-keyed maps.

    Frozen graph values (read-only mappings, tuples) count as objects and arrays. Anything
    else -- sets, bytes, objects, non-finite floats -- is refused, so no value can ever turn
    into code.

    Raises:
        CompileError: the value (or a part of it) is not plain JSON data.
    """
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return const(value)
    if kind is float:
        if not math.isfinite(value):
            raise CompileError(f"{value!r} is not a JSON number", subject=where)
        return const(value)
    if isinstance(value, (list, tuple)):
        return ast.List(elts=[python_literal(part, where=where) for part in value], ctx=ast.Load())
    if isinstance(value, Mapping):
        keys: list[ast.expr | None] = []
        for key in value:
            if type(key) is not str:
                raise CompileError(f"object key {key!r} is not text", subject=where)
            keys.append(const(key))
        values = [python_literal(part, where=where) for part in value.values()]
        return ast.Dict(keys=keys, values=values)
    raise CompileError(f"a value of type {kind.__name__} is not JSON data", subject=where)


def duration_literal(text: str, *, where: str = "") -> ast.expr:
    """``"1h30m"`` -> ``timedelta(hours=1, minutes=30)``; ``"500ms"`` -> ``milliseconds=500``.

    Raises:
        CompileError: the text is not a duration (validation normally caught it already).
    """
    return shared(("duration", text), lambda: _timedelta_call(text, where))


def _timedelta_call(text: str, where: str) -> ast.expr:
    try:
        total_ms = round(parse_duration(text).total_seconds() * 1000)
    except ValueError as error:
        raise CompileError(str(error), subject=where) from None
    parts: dict[str, ast.expr] = {}
    for unit, size in _UNITS_MS:
        count, total_ms = divmod(total_ms, size)
        if count:
            parts[unit] = const(count)
    if total_ms:
        parts["milliseconds"] = const(total_ms)
    return call("timedelta", **parts)
