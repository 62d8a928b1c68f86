"""Workflow settings: description, task queue, signals and updates with their fields, queries."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.editing import update_workflow
from core.errors import ExpressionError
from core.expressions import parse_expression
from core.graph.values import identifier_problem
from core.text import markdown_code, markdown_literal
from core.validation import Problem
from pages.widgets.fields import fields_editor
from pages.widgets.record_list import RecordForm, record_list
from pages.widgets.signal_updates import updates_editor


def workflow_settings(
    document: dict[str, Any], *, problems: tuple[Problem, ...], key: str
) -> dict[str, Any] | None:
    """Show the settings form; return the edited document, or None if unchanged."""
    meta = document.get("workflow", {})
    st.text_input(
        "Name", value=meta.get("name", ""), disabled=True, help="Rename on the Workflows page"
    )
    description = st.text_area(
        "Description", value=meta.get("description", ""), key=f"{key}.description", height=80
    )
    queue = st.text_input(
        "Task queue",
        value=meta.get("task_queue") or "",
        key=f"{key}.task_queue",
        help="Leave empty for the default queue",
    )
    run_timeout = st.text_input(
        "Run timeout",
        value=meta.get("run_timeout") or "",
        key=f"{key}.run_timeout",
        placeholder="none",
        help="Longest a run may last, e.g. 30m, 4h or 7d; Temporal then ends it as timed out. "
        "Leave empty for the app's default (WB_DEFAULT_RUN_TIMEOUT).",
    )
    signals = _signals(meta.get("signals") or [], key=f"{key}.signals")
    queries = _queries(meta.get("queries") or [], key=f"{key}.queries")
    updates = record_list("Updates", meta.get("updates") or [], _UPDATE_FORM, key=f"{key}.updates")
    for problem in problems:
        if problem.scope == "workflow":
            st.error(markdown_literal(f"{problem.field}: {problem.message}"))
    changes = {
        "description": description,
        "task_queue": queue.strip() or None,
        "run_timeout": run_timeout.strip() or None,
        "signals": signals,
        "queries": queries,
        # Graphs without updates keep no "updates" key, as they export.
        **({"updates": updates} if updates or "updates" in meta else {}),
    }
    if all(meta.get(name) == value for name, value in changes.items()):
        return None
    return update_workflow(document, **changes)


def _signals(current: list[dict[str, Any]], *, key: str) -> list[dict[str, Any]]:
    return record_list("Signals", current, _SIGNAL_FORM, key=key)


def _queries(current: list[dict[str, Any]], *, key: str) -> list[dict[str, Any]]:
    return record_list("Queries", current, _QUERY_FORM, key=key)


def _named(record: dict[str, Any], key: str, *, placeholder: str) -> dict[str, Any]:
    name = st.text_input(
        "Name", value=record.get("name", ""), key=f"{key}.name", placeholder=placeholder
    )
    return {"name": name.strip()}


def _description(record: dict[str, Any], key: str) -> str:
    return st.text_input(
        "Description", value=record.get("description", ""), key=f"{key}.description"
    ).strip()


def _signal_inputs(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {
        **_named(record, key, placeholder="approve"),
        "description": _description(record, key),
        "fields": record.get("fields", []),
    }


def _query_inputs(record: dict[str, Any], key: str) -> dict[str, Any]:
    named = _named(record, key, placeholder="progress")
    expression = st.text_input(
        "Expression",
        value=record.get("expression", ""),
        key=f"{key}.expression",
        placeholder="state.done",
        help="What the query answers, over input and workflow variables (like input.amount * 2)",
    )
    return {**named, "expression": expression.strip(), "description": _description(record, key)}


def _update_inputs(record: dict[str, Any], key: str) -> dict[str, Any]:
    named = _named(record, key, placeholder="invite")
    validator = st.text_input(
        "Validator",
        value=record.get("validator") or "",
        key=f"{key}.validator",
        placeholder="args.name not in guests",
        help="Refuses the update when false: an expression over variables, input and the "
        "update's fields as args (like args.amount > 0). Empty: every input that fits is taken.",
    ).strip()
    refusal = st.text_input(
        "Refusal message",
        value=record.get("refusal", ""),
        key=f"{key}.refusal",
        help="What the caller is told when the validator is false (empty: the validator itself)",
    ).strip()
    result = st.text_input(
        "Result",
        value=record.get("result") or "",
        key=f"{key}.result",
        placeholder="len(guests)",
        help="Returned to the caller, read after the update's changes (empty: nothing)",
    ).strip()
    chosen = {"validator": validator, "refusal": refusal, "result": result}
    return {
        **named,
        "description": _description(record, key),
        "fields": record.get("fields", []),
        **{name: value for name, value in chosen.items() if value},
        **({"updates": record["updates"]} if record.get("updates") else {}),
    }


def _update_problem(candidate: dict[str, Any], others: list[dict[str, Any]]) -> str | None:
    problem = _name_problem("update", candidate, others)
    if problem:
        return problem
    for part in ("validator", "result"):
        if part in candidate:
            try:
                parse_expression(candidate[part])
            except ExpressionError as error:
                return f"{part.capitalize()}: {error.construct}: {error.reason}"
    return None


def _name_problem(noun: str, candidate: dict[str, Any], others: list[dict[str, Any]]) -> str | None:
    name = candidate["name"]
    if not name:
        return f"Give the {noun} a name (like order_id)."
    problem = identifier_problem(name)
    if problem:
        return problem
    if any(other.get("name") == name for other in others):
        return f"There is a {noun} named {name!r} already; choose another name."
    return None


def _query_problem(candidate: dict[str, Any], others: list[dict[str, Any]]) -> str | None:
    problem = _name_problem("query", candidate, others)
    if problem:
        return problem
    if not candidate["expression"]:
        return "Give the query an expression to answer with (like state.done)."
    try:
        parse_expression(candidate["expression"])
    except ExpressionError as error:
        return f"Expression: {error.construct}: {error.reason}"
    return None


def _summary(record: dict[str, Any]) -> str:
    line = markdown_code(str(record.get("name", "")))
    if record.get("expression"):
        line += f" = {markdown_code(record['expression'])}"
    description = record.get("description")
    return f"{line}  \n{markdown_literal(description)}" if description else line


def _payload(record: dict[str, Any], key: str) -> dict[str, Any]:
    fields = record.get("fields", [])
    edited = fields_editor(f"Payload of {record.get('name')}", fields, key=f"{key}.fields")
    if edited is not fields:
        record = {**record, "fields": edited}
    updates = record.get("updates", [])
    changed = updates_editor(record, key=f"{key}.updates")
    if changed is updates:
        return record
    # Graphs without updates keep no "updates" key, as they export.
    return {name: value for name, value in record.items() if name != "updates"} | (
        {"updates": changed} if changed else {}
    )


_SIGNAL_FORM = RecordForm(
    noun="signal",
    summary=_summary,
    inputs=_signal_inputs,
    problem=lambda candidate, others: _name_problem("signal", candidate, others),
    below=_payload,
)
_UPDATE_FORM = RecordForm(
    noun="update",
    summary=_summary,
    inputs=_update_inputs,
    problem=_update_problem,
    below=_payload,
)
_QUERY_FORM = RecordForm(
    noun="query", summary=_summary, inputs=_query_inputs, problem=_query_problem
)
