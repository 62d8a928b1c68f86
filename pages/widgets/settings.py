"""Workflow settings: description, task queue, signals with their payload fields, queries."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.editing import update_workflow
from core.graph.validation import Problem
from core.text import markdown_literal
from pages.widgets.fields import cell_text, fields_editor, show_expression_problem


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
    for problem in problems:
        if problem.scope == "workflow":
            st.error(markdown_literal(f"{problem.field}: {problem.message}"))
    changes = {
        "description": description,
        "task_queue": queue.strip() or None,
        "run_timeout": run_timeout.strip() or None,
        "signals": signals,
        "queries": queries,
    }
    if all(meta.get(name) == value for name, value in changes.items()):
        return None
    return update_workflow(document, **changes)


def _signals(current: list[dict[str, Any]], *, key: str) -> list[dict[str, Any]]:
    st.markdown("**Signals**")
    rows = _table(current, ["name", "description"], key=key)
    signals = []
    for index, row in enumerate(rows):
        fields = current[index].get("fields", []) if index < len(current) else []
        with st.expander(markdown_literal(f"Payload of {row['name']}")):
            fields = fields_editor("Fields", fields, key=f"{key}.{index}.fields")
        signals.append({**row, "fields": fields})
    return signals


def _queries(current: list[dict[str, Any]], *, key: str) -> list[dict[str, Any]]:
    st.markdown("**Queries**")
    rows = _table(current, ["name", "expression", "description"], key=key)
    for row in rows:
        if row["expression"]:
            show_expression_problem(row["expression"])
    return rows


def _table(current: list[dict[str, Any]], columns: list[str], *, key: str) -> list[dict[str, Any]]:
    frame = pd.DataFrame(
        [{c: item.get(c, "") for c in columns} for item in current], columns=columns
    )
    edited = st.data_editor(frame, key=key, num_rows="dynamic", hide_index=True, width="stretch")
    rows = []
    for record in edited.to_dict("records"):
        row = {column: cell_text(record.get(column)) for column in columns}
        if row["name"]:
            rows.append(row)
    return rows
