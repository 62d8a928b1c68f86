"""Run: one run in depth, drawn on its graph, with its timeline, inputs, outcome and actions.

Opened as ``run?workflow_id=...&run_id=...`` (``run_id`` optional: the newest run).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from core.errors import WorkflowBuilderError
from core.executions import RunRef
from core.runs import RunDetail, RunNotFoundError
from core.runs.listing import format_duration
from core.runs.presentation import STATUS_BADGES, failed_step
from core.services import UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.errors import fragment
from pages.widgets.run_actions import run_actions, run_link, show_notice
from pages.widgets.run_controls import signals_and_queries
from pages.widgets.run_graph import node_details, pending_activities, run_graph
from pages.widgets.run_timeline import run_timeline
from pages.widgets.services import user_services
from pages.widgets.temporal import run_url, temporal_ready

#: Seconds between refreshes of an open run.
POLL_SECONDS = 2.0
#: A detail younger than this is reused: the page and its live part both ask on first draw.
_FRESH_SECONDS = 1.0
_DETAIL_KEY = "run_page_detail"
_TIME = "%Y-%m-%d %H:%M:%S"

services = user_services()
st.title("Run")


def _search() -> None:
    with st.form("run_search"):
        st.markdown("Open a run by its Temporal workflow id, and optionally its run id.")
        workflow_id = st.text_input("Workflow id", key="run_search_workflow")
        run_id = st.text_input("Run id", key="run_search_run", placeholder="newest run")
        if st.form_submit_button("Open", type="primary", icon=":material/search:"):
            if workflow_id.strip():
                st.query_params.clear()
                st.query_params["workflow_id"] = workflow_id.strip()
                if run_id.strip():
                    st.query_params["run_id"] = run_id.strip()
                st.rerun()
            st.error("Give a workflow id.")


def _detail(workflow_id: str, run_id: str | None) -> RunDetail:
    cached = st.session_state.get(_DETAIL_KEY)
    now = time.monotonic()
    if cached and (workflow_id, run_id) in cached[0] and now - cached[1] < _FRESH_SECONDS:
        detail: RunDetail = cached[2]
        return detail
    detail = services.console.detail(workflow_id, run_id)
    asked = {(workflow_id, run_id), (workflow_id, detail.record.run_id)}
    st.session_state[_DETAIL_KEY] = (asked, now, detail)
    return detail


def _forget() -> None:
    st.session_state.pop(_DETAIL_KEY, None)


def _text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _summary(detail: RunDetail) -> None:
    record, trace = detail.record, detail.trace
    colour = STATUS_BADGES[record.status]
    workflow = (
        markdown_code(detail.workflow_name) if detail.workflow_name else "an unmanaged workflow"
    )
    version = f" version {record.version}" if record.version is not None else ""
    st.markdown(
        f":{colour}-badge[{record.status.value}] {workflow}{version} · "
        f"{markdown_code(record.workflow_id)} · trigger {record.trigger or 'unknown'}"
    )
    closed = record.close_time.astimezone().strftime(_TIME) if record.close_time else "open"
    took = record.duration or (datetime.now(UTC) - record.start_time)
    st.markdown(
        f"**Started** {record.start_time.astimezone().strftime(_TIME)} · **Closed** {closed} · "
        f"**Duration** {format_duration(took)}{'' if record.closed else ' so far'} · "
        f"**History** {record.history_length or trace.event_count} events · "
        f"**Worker** {markdown_code(trace.identity) if trace.identity else 'none yet'}"
    )
    url = run_url(services, workflow_id=record.workflow_id, run_id=record.run_id)
    st.caption(
        f"Run id {markdown_code(record.run_id)} · task queue {markdown_code(record.task_queue)}"
        + (f" · [Open in Temporal Web UI]({url})" if url else "")
    )
    if record.parent_workflow_id:
        run_link(
            record.parent_workflow_id,
            record.parent_run_id,
            label=f"Parent run {record.parent_workflow_id}",
            icon=":material/arrow_upward:",
        )
    if detail.continued_from:
        run_link(
            record.workflow_id,
            detail.continued_from,
            label="Continued from the run before it",
            icon=":material/arrow_back:",
        )
    if detail.continued_as:
        run_link(
            record.workflow_id,
            detail.continued_as,
            label="Continued as new: the next run",
            icon=":material/arrow_forward:",
        )
    for child in detail.children:
        run_link(
            child.workflow_id,
            child.run_id,
            label=f"Child run {child.workflow_id} ({child.status.value})",
            icon=":material/subdirectory_arrow_right:",
        )
    if record.status.value == "failed" or trace.failure:
        where = failed_step(trace, detail.graph)
        headline = f"The run {where}" if where else f"The run {record.status.value}"
        st.error(markdown_literal(headline), icon=":material/error:")
    if not trace.exact and detail.graph is not None:
        st.caption(
            "Steps were matched by their labels (the version's code could not be replayed), "
            "so a node's state may be approximate."
        )


def _live_view(workflow_id: str, run_id: str | None, was_open: bool) -> None:
    """Summary, graph with node details, timeline and pending activities (polled while open)."""
    try:
        detail = _detail(workflow_id, run_id)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"Cannot read the run: {error}"), icon=":material/error:")
        return
    if was_open and detail.record.closed:
        _forget()
        st.rerun()  # the whole page: result, actions and forms change once the run closes
    _summary(detail)
    # The graph gets the full width (wide graphs stay readable at 1280 px); the clicked node's
    # details follow it, else the failed or current node's.
    clicked = run_graph(detail)
    chosen = clicked or detail.trace.failed_node_id or detail.trace.current_node_id
    if chosen is not None and detail.graph is not None:
        with st.container(border=True):
            node_details(detail, chosen)
    now = datetime.now(UTC).astimezone()
    run_timeline(detail.trace, now=now, closed_at=detail.record.close_time)
    if not detail.record.closed:
        st.markdown("**Activities in flight**")
        pending_activities(detail.pending)


def _outcome(detail: RunDetail) -> None:
    trace = detail.trace
    input_col, outcome_col = st.columns(2, gap="medium")
    with input_col:
        st.markdown("**Input**")
        st.code(_text(trace.input), language="json", wrap_lines=True)
    with outcome_col:
        if trace.status == "completed":
            st.markdown("**Result**")
            st.code(_text(trace.result), language="json", wrap_lines=True)
        elif trace.failure:
            st.markdown("**Failure**, outermost cause first")
            st.code(trace.failure.replace(": ", ":\n  "), language=None, wrap_lines=True)
        else:
            st.markdown("**Result**")
            st.caption("No result yet: the run is open.")


def _talk(detail: RunDetail) -> None:
    graph, record = detail.graph, detail.record
    if graph is None:
        return
    meta = graph.workflow
    if not (meta.signals or meta.queries or meta.updates):
        return
    st.subheader("Signals, updates and queries" if meta.updates else "Signals and queries")
    ref = RunRef(record.workflow_id, record.run_id, record.workflow_type, record.task_queue)
    signals_and_queries(services, ref, meta.signals, meta.queries, meta.updates)


def _page(services: UserServices) -> None:
    workflow_id = st.query_params.get("workflow_id", "").strip()
    run_id = st.query_params.get("run_id", "").strip() or None
    if not workflow_id:
        _search()
        return
    if not temporal_ready(services):
        return
    try:
        detail = _detail(workflow_id, run_id)
    except RunNotFoundError as error:
        st.error(markdown_literal(f"No such run: {error}"), icon=":material/search_off:")
        _search()
        return
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"Cannot read the run: {error}"), icon=":material/error:")
        _search()
        return
    show_notice()
    # Pinned in the URL: a later run of the same workflow id must not replace this one.
    run_id = st.query_params["run_id"] = detail.record.run_id
    if detail.record.closed:
        _live_view(workflow_id, run_id, False)
    else:
        fragment(run_every=POLL_SECONDS)(_live_view)(workflow_id, run_id, True)
    _outcome(detail)
    if not detail.record.closed:
        _talk(detail)
    st.subheader("Actions")
    run_actions(services, detail, on_done=_forget)


_page(services)
