"""Plain-words messages for pydantic errors and the name rules, each with an allowed example."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.graph.model import (
    DURATION_PATTERN,
    ID_PATTERN,
    IDENTIFIER_PATTERN,
    WORKFLOW_NAME_PATTERN,
)

NAME_RULE = (
    "a name starts with a letter or _ and has only letters, digits and _, at most 64 "
    "characters (like order_id)"
)
WORKFLOW_NAME_RULE = (
    "a workflow name starts with a lowercase letter and has only lowercase letters, digits "
    "and _, at most 63 characters (like order_approval)"
)
ID_RULE = (
    "an id has only letters, digits and _ . : -, 1 to 64 characters (like check_stock or step-2)"
)
DURATION_RULE = "a duration is a number and a unit: ms, s, m, h or d (like 30s, 5m or 1h30m)"

#: What each pattern a params model or the document format uses allows, in words. A pattern
#: missing here would show as "has not the allowed form" (tests/unit/test_messages.py checks
#: every pattern of every model has its words).
PATTERN_RULES: Mapping[str, str] = {
    IDENTIFIER_PATTERN: NAME_RULE,
    WORKFLOW_NAME_PATTERN: WORKFLOW_NAME_RULE,
    ID_PATTERN: ID_RULE,
    DURATION_PATTERN: DURATION_RULE,
}

#: Error types about a value's JSON type: what is expected instead, with an example.
_TYPE_WORDS: Mapping[str, str] = {
    "string_type": 'must be text (like "hello")',
    "int_type": "must be a whole number (like 3)",
    "int_parsing": "must be a whole number (like 3)",
    "int_from_float": "must be a whole number (like 3), without a fraction",
    "float_type": "must be a number (like 2.5)",
    "float_parsing": "must be a number (like 2.5)",
    "finite_number": "must be a finite number (like 2.5)",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list (like [1, 2])",
    "tuple_type": "must be a list (like [1, 2])",
    "dict_type": 'must be an object (like {"key": 1})',
    "model_type": 'must be an object (like {"key": 1})',
    "model_attributes_type": 'must be an object (like {"key": 1})',
    "none_required": "must be null",
    "missing": "is required",
}


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a sentence a user reads.

    Never shows a regular expression: a pattern mismatch says what the pattern allows.
    """
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind in ("value_error", "assertion_error"):
        # Our own validators' sentences; pydantic prefixes them.
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind == "string_pattern_mismatch":
        rule = PATTERN_RULES.get(str(ctx.get("pattern")), "it does not have the allowed form")
        return f"{_shown(value)} is not allowed: {rule}"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must have at least {least} characters"
    if kind == "string_too_long":
        return f"may have at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} item{'s' if least != 1 else ''}"
    if kind == "too_long":
        return f"may have at most {ctx.get('max_length')} items"
    bounds = {
        "greater_than_equal": ("ge", "must be {} or more"),
        "less_than_equal": ("le", "must be {} or less"),
        "greater_than": ("gt", "must be more than {}"),
        "less_than": ("lt", "must be less than {}"),
    }
    if kind in bounds:
        name, words = bounds[kind]
        return words.format(_number(ctx.get(name)))
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "extra_forbidden":
        location = error.get("loc") or ("",)
        return f"{str(location[-1])!r} is not a known setting here; check its spelling or remove it"
    if "pattern" in ctx:
        return f"{_shown(value)} does not have the allowed form"  # a pattern we have no words for
    return str(error.get("msg", "is not allowed"))


def _number(value: Any) -> str:
    """1.0 as 1, 2.5 as 2.5, 100000 as 100,000: bounds read like the numbers people type."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
