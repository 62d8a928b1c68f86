"""Bulk cancel and terminate on the Runs page: choose the runs, confirm their count, report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.db import ExecutionFilter, ExecutionRecord
from core.errors import WorkflowBuilderError
from core.runs import BulkResult, RunsConsole
from core.text import markdown_literal
from pages.widgets.services import offer

#: Session keys: the action waiting for its confirmation, and the last one's outcome.
BULK_PENDING = "runs_bulk_pending"
BULK_DONE = "runs_bulk_done"
#: Bumped after an action so the runs table starts with no rows selected.
TABLE_GENERATION = "runs_table_generation"
_VERBS = {"cancel": ("Cancel", "asked to cancel"), "terminate": ("Terminate", "terminated")}


@dataclass(frozen=True)
class PendingBulk:
    """An action on runs, with the exact runs it will reach (fixed when it was asked for)."""

    action: str
    keys: tuple[tuple[str, str], ...]
    scope: str


def bulk_buttons(
    console: RunsConsole, selected: Sequence[ExecutionRecord], filters: ExecutionFilter
) -> None:
    """Cancel or terminate the selected open runs, or every open run matching the filters."""
    if not offer(RunsConsole.bulk):
        return
    chosen = tuple((run.workflow_id, run.run_id) for run in selected if not run.closed)
    matching = tuple(console.open_keys(filters))
    asks = []
    if selected:
        asks += [(action, chosen, "selected") for action in _VERBS]
    asks += [(action, matching, "matching the filters") for action in _VERBS]
    columns = st.columns(len(asks))
    for column, (action, keys, scope) in zip(columns, asks, strict=True):
        verb = _VERBS[action][0]
        label = (
            f"{verb} {len(keys)} selected"
            if scope == "selected"
            else f"{verb} all {len(keys)} open"
        )
        if column.button(
            label,
            key=f"bulk_{action}_{scope}",
            disabled=not keys,
            help=f"{_VERBS[action][0]} the open runs {scope}; you confirm first",
            width="stretch",
        ):
            st.session_state[BULK_PENDING] = PendingBulk(action, keys, scope)
            st.rerun(scope="app")
    if selected and len(chosen) < len(selected):
        st.caption(f"{len(selected) - len(chosen)} selected run(s) have closed: left alone.")


def bulk_confirmation(console: RunsConsole) -> None:
    """The action waiting for its confirmation, if any: its count, a reason, yes or back."""
    pending: PendingBulk | None = st.session_state.get(BULK_PENDING)
    if pending is None:
        return
    verb = _VERBS[pending.action][0]
    with st.container(border=True):
        st.warning(
            f"{verb} {len(pending.keys)} open run(s) {pending.scope}? This cannot be undone.",
            icon=":material/warning:",
        )
        reason = ""
        if pending.action == "terminate":
            reason = st.text_input(
                "Reason (recorded in each run's history)", key="bulk_reason", max_chars=500
            )
        yes, back = st.columns(2)
        confirmed = yes.button(
            f"Yes, {verb.lower()} {len(pending.keys)} run(s)",
            type="primary",
            disabled=pending.action == "terminate" and not reason.strip(),
            width="stretch",
        )
        if back.button("Back", width="stretch"):
            del st.session_state[BULK_PENDING]
            st.rerun()
    if not confirmed:
        return
    try:
        result = console.bulk(pending.action, keys=pending.keys, reason=reason)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(str(error)))
        return
    del st.session_state[BULK_PENDING]
    st.session_state[BULK_DONE] = (pending.action, result)
    st.session_state[TABLE_GENERATION] = st.session_state.get(TABLE_GENERATION, 0) + 1
    st.rerun()


def bulk_outcome() -> None:
    """What the last confirmed action did (shown once)."""
    done: tuple[str, BulkResult] | None = st.session_state.pop(BULK_DONE, None)
    if done is None:
        return
    action, result = done
    message = f"{result.done} run(s) {_VERBS[action][1]}."
    if not result.failed:
        st.success(message, icon=":material/check_circle:")
        return
    st.warning(f"{message} Temporal refused {len(result.failed)}:", icon=":material/warning:")
    st.dataframe(
        pd.DataFrame(result.failed, columns=["Run", "Why"]), hide_index=True, width="stretch"
    )
