"""A signal's updates of workflow variables (set, append, merge), each edited in a small form."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from core.graph.model import UPDATE_ACTIONS
from core.graph.values import identifier_problem
from core.limits import InputLimitError, read_input
from core.text import markdown_code
from pages.widgets.record_list import RecordForm, record_list

_PAYLOAD = "the whole payload"
_FIXED = "a fixed value"
_FIELD = "field "


def updates_editor(signal: dict[str, Any], *, key: str) -> list[dict[str, Any]]:
    """The updates of ``signal`` (a signal record of the settings); the list after what the user
    saved (``signal["updates"]`` itself when nothing changed)."""
    fields = {item.get("name"): item.get("type", "string") for item in signal.get("fields", [])}
    form = RecordForm(
        noun="update",
        summary=_summary,
        inputs=lambda record, form_key: _inputs(record, form_key, fields),
        problem=lambda candidate, _others: _problem(candidate, fields),
    )
    label = f"Variables {signal.get('name') or 'the signal'} updates"
    return record_list(label, signal.get("updates", []), form, key=key)


def _inputs(record: dict[str, Any], key: str, fields: dict[str, str]) -> dict[str, Any]:
    variable = st.text_input(
        "Variable", value=record.get("variable", ""), key=f"{key}.variable", placeholder="done"
    )
    action = st.selectbox(
        "Action",
        UPDATE_ACTIONS,
        index=UPDATE_ACTIONS.index(record.get("action", "set")),
        key=f"{key}.action",
        help="set: the variable takes the value; append: to a list (made when the variable is "
        "not set yet); merge: an object's keys into an object",
    )
    sources = [_PAYLOAD, *(f"{_FIELD}{name}" for name in fields), _FIXED]
    current = (
        f"{_FIELD}{record['field']}"
        if record.get("field") is not None
        else _FIXED
        if record.get("value") is not None
        else _PAYLOAD
    )
    source = st.selectbox(
        "Value",
        sources,
        index=sources.index(current) if current in sources else 0,
        key=f"{key}.source",
    )
    value = record.get("value")
    text = st.text_input(
        "Fixed value",
        value="" if value is None else json.dumps(value),
        key=f"{key}.value",
        placeholder="true",
        help="With 'a fixed value' only (and set): JSON like true, 3 or [1, 2]; other text is "
        "taken as text.",
    )
    update: dict[str, Any] = {"variable": variable.strip(), "action": action}
    if source.startswith(_FIELD):
        update["field"] = source.removeprefix(_FIELD)
    elif source == _FIXED:
        update["value"] = _typed(text)
    return update


def _typed(text: str) -> Any:
    """The value typed: JSON when it reads as JSON, else the text itself (None when empty)."""
    if not text.strip():
        return None
    try:
        return read_input(text, where="value")
    except InputLimitError:
        return text


def _problem(candidate: dict[str, Any], fields: dict[str, str]) -> str | None:
    variable = candidate["variable"]
    if not variable:
        return "Name the variable to update (like done)."
    problem = identifier_problem(variable)
    if problem:
        return problem
    action = candidate["action"]
    if "value" in candidate:
        if action != "set":
            return f"A fixed value is only for set; {action} takes the payload or a field."
        if candidate["value"] is None:
            return "Type the fixed value (like true)."
    field = candidate.get("field")
    if action == "merge" and field is not None and fields.get(field) != "object":
        return f"Merge needs an object, and field {field!r} is of type {fields.get(field)}."
    return None


def _summary(record: dict[str, Any]) -> str:
    if record.get("field") is not None:
        source = f"field {markdown_code(record['field'])}"
    elif record.get("value") is not None:
        source = markdown_code(json.dumps(record["value"]))
    else:
        source = "the payload"
    return f"{record.get('action', 'set')} {markdown_code(str(record.get('variable')))} ← {source}"
