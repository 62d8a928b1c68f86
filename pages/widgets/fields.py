"""Form widgets generated from a params model's JSON Schema (one widget per field)."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from core.errors import ExpressionError
from core.expressions import parse_expression
from core.graph.values import (
    identifier_problem,
    is_expression_value,
    parse_duration,
    value_has_type,
)
from core.limits import InputLimitError, read_input
from core.text import markdown_code, markdown_literal
from pages.widgets.record_list import RecordForm, record_list

FIELD_TYPES = ["string", "number", "integer", "boolean", "object", "array"]
#: How the literal of each literal-or-expression format is typed (see value_widget).
_VALUE_LITERALS = {"value": "json", "duration-value": "duration", "text-value": "string"}


def object_form(
    values: dict[str, Any], schema: dict[str, Any], *, defs: dict[str, Any], key: str
) -> dict[str, Any]:
    """Widgets for every property of an object schema; returns the edited values.

    Only fields the user changed are written, so params left at their defaults stay absent.
    """
    result = dict(values)
    for name, prop in schema.get("properties", {}).items():
        present = name in values
        current = values[name] if present else _default(prop, defs)
        new = field_widget(name, prop, current, defs=defs, key=f"{key}.{name}")
        if new != current:
            result[name] = new
    return result


def _tri_state(value: bool | None) -> str:
    return {None: "automatic", True: "yes", False: "no"}[value]


def field_widget(
    name: str, prop: dict[str, Any], current: Any, *, defs: dict[str, Any], key: str
) -> Any:
    """One field's widget, chosen from its schema; returns the value it shows."""
    # Pydantic titles every field in Title Case ("Max Attempts"); labels read as sentences.
    words = name.replace("_", " ")
    title = prop.get("title")
    label = title if title and title != words.title() else words.capitalize()
    help_text = prop.get("description")
    prop = _resolve(prop, defs)
    nullable = False
    if "anyOf" in prop:
        options = [_resolve(item, defs) for item in prop["anyOf"]]
        non_null = [item for item in options if item.get("type") != "null"]
        nullable = len(non_null) < len(options)
        if len(non_null) == 1:
            prop = {**prop, **non_null[0]}
    kind = prop.get("format")
    if kind in _VALUE_LITERALS:
        literal = _VALUE_LITERALS[kind]
        return value_widget(label, current, literal=literal, key=key, help_text=help_text)
    if prop.get("type") == "object" and "properties" in prop:
        # A bordered box, not an expander: expanders may not nest and callers use them.
        with st.container(border=True):
            st.markdown(f"**{label}**")
            return object_form(current or {}, prop, defs=defs, key=key)
    if "enum" in prop:
        options = list(prop["enum"])
        index = options.index(current) if current in options else 0
        return st.selectbox(label, options, index=index, key=key, help=help_text)
    if prop.get("type") == "boolean" and nullable:
        # Unset means "let the app choose" (an activity's `local`): a checkbox would turn it
        # into an explicit no the moment the form is drawn.
        choices: list[bool | None] = [None, True, False]
        return st.selectbox(
            label,
            choices,
            index=choices.index(current) if current in choices else 0,
            format_func=_tri_state,
            key=key,
            help=help_text,
        )
    if prop.get("type") == "boolean":
        return st.checkbox(label, value=bool(current), key=key, help=help_text)
    numeric = prop.get("type") in ("integer", "number") and not nullable
    # A value a number box cannot show (an imported file may hold null or "ten"; validation names
    # the problem) falls through to the JSON text box below, where it can be fixed.
    if numeric and _is_number(current, integer=prop["type"] == "integer"):
        number = int if prop["type"] == "integer" else float
        minimum, maximum = prop.get("minimum"), prop.get("maximum")
        return st.number_input(
            label,
            min_value=None if minimum is None else number(minimum),
            max_value=None if maximum is None else number(maximum),
            value=number(current),
            step=number(1) if number is int else 0.5,
            # Whole numbers as typed ("3", "2"), not Streamlit's float default ("2.00").
            format="%d" if number is int else "%g",
            key=key,
            help=help_text,
        )
    if prop.get("type") == "array":
        items = _resolve(prop.get("items", {}), defs)
        if items.get("type") == "object":
            return fields_editor(label, current or [], key=key)
        return lines_widget(label, current or [], key=key, help_text=help_text)
    if prop.get("type") == "string" or nullable:
        text = st.text_input(
            label, value="" if current is None else str(current), key=key, help=help_text
        )
        if kind == "expression" and text:
            show_expression_problem(text)
        if kind == "duration" and text:
            show_duration_problem(text)
        if nullable and not text:
            return None
        return text
    return json_widget(label, current, key=key, help_text=help_text)


def value_widget(
    label: str, current: Any, *, literal: str, key: str, help_text: str | None = None
) -> Any:
    """A literal-or-expression value: a text box and an "expression" toggle.

    Args:
        label: the field's label.
        current: a literal, ``{"expr": "..."}`` or None.
        literal: how literals are typed: ``string`` (as is), ``duration`` (``30s``), ``number``,
            ``integer``, ``boolean`` or ``json`` (any JSON text).
        key: the widget key prefix.
        help_text: the field's description.
    """
    is_expr = is_expression_value(current)
    shown = current["expr"] if is_expr else _literal_text(current, literal)
    text = st.text_input(label, value=shown, key=f"{key}.text", help=help_text)
    # Below the box and labelled in full: squeezed beside it, the label was cut to nothing.
    as_expr = st.toggle(
        f"{label.removesuffix(' *')} as an expression",
        value=is_expr,
        key=f"{key}.is_expr",
        help="On: an expression over input and variables, computed when the step runs "
        "(like input.amount * 2). Off: the value exactly as typed.",
    )
    if as_expr:
        if not text:
            return current if is_expr else None
        show_expression_problem(text)
        return {"expr": text}
    if text == "" and current is None:
        return None
    try:
        value = _parse_literal(text, literal)
    except ValueError as error:
        st.error(markdown_literal(f"{label}: {error}"))
        return current
    if literal == "duration" and isinstance(value, str):
        show_duration_problem(value)
    return value


def show_expression_problem(text: str) -> None:
    """Say at once why an expression is not allowed (checked as it is typed)."""
    try:
        parse_expression(text)
    except ExpressionError as error:
        message = f"Expression: {error.construct}: {error.reason}"
        st.error(markdown_literal(message), icon=":material/error:")


def show_duration_problem(text: str) -> None:
    """Say at once why a duration text is not valid."""
    try:
        parse_duration(text)
    except ValueError as error:
        st.error(markdown_literal(str(error)), icon=":material/error:")


def lines_widget(label: str, current: list[Any], *, key: str, help_text: str | None) -> list[Any]:
    """A list of scalars, one per line; numbers and true/false are read as JSON."""
    text = st.text_area(
        label,
        value="\n".join(item if isinstance(item, str) else json.dumps(item) for item in current),
        key=key,
        help=(help_text or "") + " (one per line)",
        height=90,
    )
    values = []
    for line in (line.strip() for line in text.splitlines()):
        if line:
            try:
                parsed = read_input(line, where=label)
            except InputLimitError:
                parsed = line
            values.append(parsed if isinstance(parsed, (int, float, bool, str)) else line)
    return values


def json_widget(label: str, current: Any, *, key: str, help_text: str | None) -> Any:
    """Any JSON value as text."""
    text = st.text_area(label, value=json.dumps(current, indent=1), key=key, help=help_text)
    try:
        return read_input(text, where=label)
    except InputLimitError as error:
        st.error(markdown_literal(str(error)))
        return current


def fields_editor(label: str, current: list[dict[str, Any]], *, key: str) -> list[dict[str, Any]]:
    """Input or payload fields (name, type, required, default, description), one form each."""
    return record_list(label, current, FIELD_FORM, key=key)


#: An example default per field type, for the form's help and its problems.
_TYPE_EXAMPLES = {
    "string": '"hello"',
    "number": "2.5",
    "integer": "3",
    "boolean": "true",
    "object": '{"key": 1}',
    "array": "[1, 2]",
}


def _field_inputs(record: dict[str, Any], key: str) -> dict[str, Any]:
    name = st.text_input(
        "Name", value=record.get("name", ""), key=f"{key}.name", placeholder="order_id"
    )
    current_type = record.get("type", "string")
    field_type = st.selectbox(
        "Type",
        FIELD_TYPES,
        index=FIELD_TYPES.index(current_type) if current_type in FIELD_TYPES else 0,
        key=f"{key}.type",
    )
    required = st.checkbox(
        "Required", value=bool(record.get("required", False)), key=f"{key}.required"
    )
    default = record.get("default")
    default_text = st.text_input(
        "Default",
        value=""
        if default is None
        else default
        if isinstance(default, str)
        else json.dumps(default),
        key=f"{key}.default",
        help="Leave empty for no default. Text is taken as it is typed for a string field; "
        'other types take JSON, like 3, 2.5, true, {"key": 1} or [1, 2].',
    )
    description = st.text_input(
        "Description", value=record.get("description", ""), key=f"{key}.description"
    )
    return {
        "name": name.strip(),
        "type": field_type,
        "required": required,
        "default": _typed_default(default_text, field_type),
        "description": description.strip(),
    }


def _typed_default(text: str, field_type: str) -> Any:
    """The default a form's text means for a field type (text it cannot read stays text)."""
    if not text.strip():
        return None
    if field_type == "string":
        return text
    try:
        return read_input(text, where="default")
    except InputLimitError:
        return text  # reported by _field_problem as not of the field's type


def _field_problem(candidate: dict[str, Any], others: list[dict[str, Any]]) -> str | None:
    name = candidate["name"]
    if not name:
        return "Give the field a name (like order_id)."
    problem = identifier_problem(name)
    if problem:
        return problem
    if any(other.get("name") == name for other in others):
        return f"There is a field named {name!r} already; choose another name."
    field_type = candidate["type"]
    default = candidate["default"]
    if default is not None and not value_has_type(default, field_type):
        kind = f"{'an' if field_type[0] in 'aeiou' else 'a'} {field_type}"
        return (
            f"The default of {kind} field must be {kind} (like {_TYPE_EXAMPLES[field_type]}), "
            "or left empty."
        )
    return None


def _field_summary(record: dict[str, Any]) -> str:
    parts = [markdown_code(str(record.get("name", ""))), markdown_literal(str(record.get("type")))]
    if record.get("required"):
        parts.append("required")
    if record.get("default") is not None:
        parts.append(f"default {markdown_code(json.dumps(record['default']))}")
    line = " · ".join(parts)
    description = record.get("description")
    return f"{line}  \n{markdown_literal(description)}" if description else line


FIELD_FORM = RecordForm(
    noun="field", summary=_field_summary, inputs=_field_inputs, problem=_field_problem
)


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    if ref:
        return {**defs[ref.rsplit("/", 1)[-1]], **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _is_number(value: Any, *, integer: bool) -> bool:
    # bool is a subclass of int, but a true in a number field is a mistake to show, not a 1.
    kinds = int if integer else (int, float)
    return isinstance(value, kinds) and not isinstance(value, bool)


def _default(prop: dict[str, Any], defs: dict[str, Any]) -> Any:
    if "default" in prop:
        return prop["default"]
    resolved = _resolve(prop, defs)
    kind = resolved.get("type")
    if kind == "object":
        return {}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return resolved.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "string":
        return ""
    return None


def _literal_text(value: Any, literal: str) -> str:
    if value is None:
        return ""
    if literal in ("string", "duration") and isinstance(value, str):
        return value
    return json.dumps(value)


def _parse_literal(text: str, literal: str) -> Any:
    if literal in ("string", "duration"):
        if literal == "duration" and text.strip().replace(".", "", 1).isdigit():
            return json.loads(text)  # seconds as a number
        return text
    try:
        value = read_input(text, where="value")
    except InputLimitError:
        if literal == "json":
            return text  # a bare word is meant as text
        raise ValueError(f"{text!r} is not a {literal}") from None
    if literal in ("number", "integer") and (
        isinstance(value, bool) or not isinstance(value, (int, float))
    ):
        raise ValueError(f"{text!r} is not a {literal}")
    if literal == "boolean" and not isinstance(value, bool):
        raise ValueError(f"{text!r} is not true or false")
    return value
