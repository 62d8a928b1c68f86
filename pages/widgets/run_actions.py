"""What can be done to one run: rerun, reset to a step, cancel, terminate; each says what it did."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.errors import WorkflowBuilderError
from core.executions import RunRef
from core.limits import InputLimitError, read_input, require_object
from core.runs import RunDetail, RunsConsole
from core.services import UserServices
from core.text import markdown_literal
from pages.widgets.services import offer

RUN_PAGE = "pages/run.py"
#: Session keys: the outcome of the last action (shown once, after the page reloads), and a
#: destructive action waiting for its confirmation.
NOTICE_KEY = "run_page_notice"
_CONFIRM_KEY = "run_page_confirm"


@dataclass(frozen=True)
class Notice:
    """What an action did (plain text), and the run it started (rerun, reset)."""

    text: str
    new_run: RunRef | None = None


@dataclass(frozen=True)
class _Pending:
    """A destructive action asked for, not yet confirmed."""

    run: tuple[str, str]
    action: str
    question: str
    node_id: str = ""
    reason: str = ""


def run_link(workflow_id: str, run_id: str | None, *, label: str, icon: str | None = None) -> None:
    """A link to the run page of a run; ``label`` is plain text (it may hold ids)."""
    params = {"workflow_id": workflow_id} | ({"run_id": run_id} if run_id else {})
    st.page_link(RUN_PAGE, label=markdown_literal(label), icon=icon, query_params=params)


def show_notice() -> None:
    """The outcome of the action taken before the page reloaded, with a link to its new run."""
    notice: Notice | None = st.session_state.pop(NOTICE_KEY, None)
    if notice is None:
        return
    st.success(markdown_literal(notice.text), icon=":material/check_circle:")
    if notice.new_run is not None:
        run_link(
            notice.new_run.workflow_id,
            notice.new_run.run_id,
            label=f"Open the new run {notice.new_run.workflow_id}",
            icon=":material/arrow_forward:",
        )


def run_actions(services: UserServices, detail: RunDetail, *, on_done: Callable[[], None]) -> None:
    """Rerun, reset, cancel and terminate ``detail``'s run; ``on_done`` runs after an action."""
    if not offer(RunsConsole.rerun):
        return
    record = detail.record
    key = (record.workflow_id, record.run_id)
    pending: _Pending | None = st.session_state.get(_CONFIRM_KEY)
    if pending is not None and pending.run == key:
        _confirm(services, pending, on_done)
        return
    names = ["Rerun", "Reset to a step"] + ([] if record.closed else ["Cancel", "Terminate"])
    tabs = dict(zip(names, st.tabs(names), strict=True))
    with tabs["Rerun"]:
        _rerun(services, detail, on_done)
    with tabs["Reset to a step"]:
        _reset(detail)
    if not record.closed:
        with tabs["Cancel"]:
            st.caption("Ask the run to stop; its workflow ends it as canceled.")
            if st.button("Cancel the run", icon=":material/cancel:", key="run_cancel"):
                _ask(key, "cancel", f"Cancel run {record.workflow_id}?")
        with tabs["Terminate"]:
            reason = st.text_input(
                "Reason *", key="run_terminate_reason", help="Kept in the run's history"
            )
            if st.button("Terminate the run", icon=":material/dangerous:", key="run_terminate"):
                if not reason.strip():
                    st.error("Say why the run is terminated: the reason goes into its history.")
                else:
                    _ask(key, "terminate", f"Terminate run {record.workflow_id}?", reason=reason)


def _rerun(services: UserServices, detail: RunDetail, on_done: Callable[[], None]) -> None:
    record = detail.record
    st.caption("Start a new run of the workflow's active version.")
    if st.button("Rerun with the same input", icon=":material/replay:", key="run_rerun_same"):
        _start_rerun(services, detail, None, on_done)
    edited = st.text_area(
        "Input (JSON)",
        json.dumps(detail.trace.input, indent=2, ensure_ascii=False),
        height=140,
        key=f"run_rerun_input_{record.run_id}",
    )
    if st.button("Rerun with this input", icon=":material/edit_note:", key="run_rerun_edited"):
        try:
            value = require_object(read_input(edited, where="input"), where="input")
        except InputLimitError as error:
            st.error(markdown_literal(f"The input cannot be sent: {error}"))
            return
        _start_rerun(services, detail, value, on_done)


def _start_rerun(
    services: UserServices,
    detail: RunDetail,
    value: Mapping[str, Any] | None,
    on_done: Callable[[], None],
) -> None:
    record = detail.record
    try:
        ref = services.console.rerun(record.workflow_id, record.run_id, input=value)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"The rerun did not start: {error}"), icon=":material/error:")
        return
    how = "the same input" if value is None else "the edited input"
    _done(Notice(f"Started {ref.workflow_id} ({ref.workflow_type}) with {how}.", ref), on_done)


def _reset(detail: RunDetail) -> None:
    record = detail.record
    graph = detail.graph
    choices = [
        node_id for node_id, run in detail.trace.nodes.items() if run.reset_event_id is not None
    ]
    if graph is None or not choices:
        st.caption("No step of this run can be reset to.")
        return
    st.caption(
        "Run the chosen step and everything after it again, keeping the history before it. "
        "This run ends as terminated; the reset run carries on."
    )
    failed = detail.trace.failed_node_id
    labels = {node_id: _label(detail, node_id) for node_id in choices}
    node_id = st.selectbox(
        "Step",
        choices,
        index=choices.index(failed) if failed in choices else len(choices) - 1,
        format_func=labels.__getitem__,
        key=f"run_reset_node_{record.run_id}",
    )
    reason = st.text_input("Reason", key="run_reset_reason", placeholder="optional")
    if st.button("Reset the run", icon=":material/restart_alt:", key="run_reset"):
        _ask(
            (record.workflow_id, record.run_id),
            "reset",
            f"Reset run {record.workflow_id} to step {labels[node_id]}?",
            node_id=node_id,
            reason=reason,
        )


def _label(detail: RunDetail, node_id: str) -> str:
    node = detail.graph.node(node_id) if detail.graph else None
    return f"{node.label or node_id} ({node_id})" if node else node_id


def _ask(run: tuple[str, str], action: str, question: str, **details: str) -> None:
    st.session_state[_CONFIRM_KEY] = _Pending(run, action, question, **details)
    st.rerun()


def _confirm(services: UserServices, pending: _Pending, on_done: Callable[[], None]) -> None:
    st.warning(markdown_literal(pending.question), icon=":material/warning:")
    yes, no = st.columns(2)
    if no.button("Keep the run as it is", key="run_confirm_no", width="stretch"):
        del st.session_state[_CONFIRM_KEY]
        st.rerun()
    if not yes.button(
        f"Confirm {pending.action}", type="primary", key="run_confirm_yes", width="stretch"
    ):
        return
    del st.session_state[_CONFIRM_KEY]
    workflow_id, run_id = pending.run
    console = services.console
    try:
        if pending.action == "cancel":
            console.cancel(workflow_id, run_id)
            notice = Notice(f"Asked run {workflow_id} to cancel.")
        elif pending.action == "terminate":
            console.terminate(workflow_id, run_id, reason=pending.reason)
            notice = Notice(f"Terminated run {workflow_id}: {pending.reason.strip()}")
        else:
            ref = console.reset(workflow_id, run_id, node_id=pending.node_id, reason=pending.reason)
            notice = Notice(
                f"Reset run {workflow_id} to step {pending.node_id}: a new run carries on "
                "from there, and this one ended as terminated.",
                ref,
            )
    except WorkflowBuilderError as error:
        refused = f"The {pending.action} did not happen: {error}"
        st.error(markdown_literal(refused), icon=":material/error:")
        return
    _done(notice, on_done)


def _done(notice: Notice, on_done: Callable[[], None]) -> None:
    st.session_state[NOTICE_KEY] = notice
    on_done()
    st.rerun()
