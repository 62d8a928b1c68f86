"""Input forms for runs and signals: which widget each declared field gets, and its value."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import WorkflowBuilderError
from core.graph import InputField
from core.limits import read_json


class FormInputError(WorkflowBuilderError):
    """A submitted form value cannot become the field's value.

    Attributes:
        field: the field at fault.
        reason: what is wrong with it.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class WidgetKind(enum.StrEnum):
    """The widget that edits a field."""

    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    CHECKBOX = "checkbox"
    JSON = "json"


_KINDS = {
    "string": WidgetKind.TEXT,
    "number": WidgetKind.NUMBER,
    "integer": WidgetKind.INTEGER,
    "boolean": WidgetKind.CHECKBOX,
    "object": WidgetKind.JSON,
    "array": WidgetKind.JSON,
}


@dataclass(frozen=True)
class FormField:
    """One widget of a generated form.

    Attributes:
        name: the field name (the key of the submitted value).
        kind: the widget to draw.
        label: the widget's label; required fields end with `` *``.
        initial: what the widget shows first (the declared default, in the widget's terms).
        required: a value must be given.
        help: the field's description and type, for the widget's tooltip.
        json_type: ``object`` or ``array`` for JSON fields, else "".
    """

    name: str
    kind: WidgetKind
    label: str
    initial: Any
    required: bool
    help: str
    json_type: str = ""


def form_fields(fields: Iterable[InputField]) -> tuple[FormField, ...]:
    """The widgets of a form for ``fields``, in declaration order."""
    return tuple(_form_field(item) for item in fields)


def form_values(form: Iterable[FormField], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The values to send: widget values turned into field values, empty optional ones left out.

    Raises:
        FormInputError: a required field is empty, or a JSON field holds bad JSON or JSON of
            the wrong type.
        InputLimitError: a JSON field's value is over an input limit (its path starts with
            the field's name).
    """
    values: dict[str, Any] = {}
    for item in form:
        value = _value(item, submitted.get(item.name))
        if value is None:
            if item.required:
                raise FormInputError(item.name, "is required")
            continue
        values[item.name] = value
    return values


def _form_field(item: InputField) -> FormField:
    kind = _KINDS.get(item.type, WidgetKind.JSON)
    help_text = f"{item.description} ({item.type})" if item.description else item.type
    return FormField(
        name=item.name,
        kind=kind,
        label=f"{item.name} *" if item.required else item.name,
        initial=_initial(kind, item.default),
        required=item.required,
        help=help_text,
        json_type=item.type if kind is WidgetKind.JSON else "",
    )


def _initial(kind: WidgetKind, default: Any) -> Any:
    if kind is WidgetKind.CHECKBOX:
        return bool(default)
    if default is None:
        return "" if kind in (WidgetKind.TEXT, WidgetKind.JSON) else None
    if kind is WidgetKind.NUMBER:
        return float(default)
    if kind is WidgetKind.INTEGER:
        return int(default)
    if kind is WidgetKind.JSON:
        return json.dumps(default, indent=2)
    return str(default)


def _value(item: FormField, raw: Any) -> Any:
    if item.kind is WidgetKind.CHECKBOX:
        return bool(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if item.kind is WidgetKind.NUMBER:
        return float(raw)
    if item.kind is WidgetKind.INTEGER:
        return int(raw)
    if item.kind is WidgetKind.JSON:
        return _json(item, str(raw))
    return str(raw)


def _json(item: FormField, text: str) -> Any:
    try:
        value = read_json(text, where=item.name)
    except json.JSONDecodeError as error:
        raise FormInputError(
            item.name,
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
        ) from None
    found = _json_type(value)
    if item.json_type and found != item.json_type:
        raise FormInputError(item.name, f"must be a JSON {item.json_type} (got {found})")
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    names: dict[type, str] = {dict: "object", list: "array", str: "string"}
    return names.get(type(value), "null")
