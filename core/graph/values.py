"""Values in node params: durations, names, expressions, literal-or-expression values and field
types (the "Values" of docs/graph-format.md), shared by every node kind."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from core.errors import ExpressionError
from core.expressions import parse_expression
from core.graph.messages import DURATION_RULE, NAME_RULE
from core.graph.model import DURATION_PATTERN, IDENTIFIER_PATTERN
from core.graph.names import is_identifier

_DURATION_PART = re.compile(r"(\d+)(ms|s|m|h|d)")
_DURATION = re.compile(DURATION_PATTERN)
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
#: Longer than any sensible workflow timer; keeps timedelta arithmetic far from overflow.
MAX_DURATION = timedelta(days=3650)

FieldType = Literal["string", "number", "integer", "boolean", "object", "array"]
#: Python types a field's default must have, per declared field type.
FIELD_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def value_has_type(value: Any, field_type: str) -> bool:
    """Whether a JSON value is of a declared field type (a boolean is not a number here)."""
    if isinstance(value, bool) and field_type != "boolean":
        return False
    return isinstance(value, FIELD_PYTHON_TYPES[field_type])


def parse_duration(text: str) -> timedelta:
    """``"1h30m"`` -> ``timedelta(hours=1, minutes=30)``.

    Raises:
        ValueError: not of the form ``<number><unit>...`` with units ms, s, m, h, d, not
            positive, or longer than ten years.
    """
    if not isinstance(text, str) or not _DURATION.fullmatch(text):
        raise ValueError(f"{text!r} is not a duration: {DURATION_RULE}")
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"duration {text!r} is longer than the limit of 10 years")
    return timedelta(seconds=seconds)


def _check_duration(text: str) -> str:
    parse_duration(text)
    return text


def identifier_problem(name: str) -> str | None:
    """Why ``name`` cannot name a variable, field, signal or query; None when it can."""
    if not is_identifier(name):
        return f"{name!r} is not allowed: {NAME_RULE}"
    if name.startswith("__"):
        return f"{name!r} is not allowed: names may not start with two underscores"
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword, which expressions cannot refer to"
    return None


def _check_identifier(name: str) -> str:
    problem = identifier_problem(name)
    if problem:
        raise ValueError(problem)
    return name


def _check_expression(source: str) -> str:
    try:
        parse_expression(source)
    except ExpressionError as error:
        # Pydantic collects ValueErrors with the field's location; the construct leads the text.
        raise ValueError(f"{error.construct}: {error.reason}") from None
    return source


def is_expression_value(value: Any) -> bool:
    """True for the ``{"expr": "..."}`` form of a literal-or-expression value."""
    return isinstance(value, Mapping) and set(value.keys()) == {"expr"}


def _check_value(value: Any) -> Any:
    if is_expression_value(value):
        if not isinstance(value["expr"], str):
            raise ValueError('an expression value must be {"expr": "<expression text>"}')
        _check_expression(value["expr"])
    return value


def _check_duration_value(value: Any) -> Any:
    if is_expression_value(value):
        return _check_value(value)
    if isinstance(value, str):
        return _check_duration(value)
    raise ValueError('a duration is a text such as "30s" or an expression {"expr": "..."}')


def _check_text_value(value: Any) -> Any:
    if is_expression_value(value):
        return _check_value(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError('this must be a text or an expression {"expr": "..."}')
    return value


Duration = Annotated[
    str,
    AfterValidator(_check_duration),
    Field(
        pattern=_DURATION.pattern,
        json_schema_extra={"format": "duration"},
        examples=["30s", "5m", "1h30m"],
    ),
]
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN), AfterValidator(_check_identifier)]
ExpressionText = Annotated[
    str,
    Field(min_length=1, json_schema_extra={"format": "expression"}),
    AfterValidator(_check_expression),
]
#: A JSON literal, or ``{"expr": "..."}`` evaluated when the node runs.
Value = Annotated[Any, AfterValidator(_check_value), Field(json_schema_extra={"format": "value"})]
#: A duration text, or ``{"expr": "..."}`` giving a number of seconds.
DurationValue = Annotated[
    Any,
    AfterValidator(_check_duration_value),
    Field(json_schema_extra={"format": "duration-value"}),
]
#: A text that is not blank, or ``{"expr": "..."}`` whose value is made text when the node runs.
TextValue = Annotated[
    Any,
    AfterValidator(_check_text_value),
    Field(json_schema_extra={"format": "text-value"}),
]
