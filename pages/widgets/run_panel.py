"""Running the active version: the input form, the run's result, its signals and queries."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import WorkflowBuilderError
from core.executions import RunRef, RunService, RunState
from core.graph import QueryDecl, SignalDecl, graph_from_dict
from core.run_forms import FormInputError, form_fields
from core.run_forms import form_values as read_form
from core.runs.listing import failed_step, format_duration, run_link, step_name, utc_text
from core.runs.presentation import STATUS_BADGES
from core.services import UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.errors import fragment
from pages.widgets.run_controls import form_widgets, signals_and_queries
from pages.widgets.schedule_panel import schedule_panel
from pages.widgets.services import offer
from pages.widgets.temporal import run_url

#: Seconds between status polls of a running run.
POLL_SECONDS = 2.0
#: Seconds between refreshes of the recent runs list.
RECENT_SECONDS = 10.0


@dataclass(frozen=True)
class StartedRun:
    """The run this session started last, and what its version lets one send or ask."""

    ref: RunRef
    version: int
    signals: tuple[SignalDecl, ...]
    queries: tuple[QueryDecl, ...]


def run_panel(services: UserServices, workflow_id: int) -> None:
    """The start form of the active version, the last run's result, and recent runs."""
    active = services.deploy.active(workflow_id)
    if active is None:
        st.info("Nothing is deployed yet: **Deploy** the workflow, then run it here.")
        return
    version = next(v for v in services.deploy.versions(workflow_id) if v.id == active.version_id)
    form_col, result_col = st.columns([1, 1.4], gap="large")
    with form_col:
        start = f"**Start a run of version {version.version}**"
        st.markdown(f"{start} ({markdown_code(active.workflow_type)})")
        started = _start_form(services, workflow_id, version.version, version.graph)
        if started is not None:
            st.session_state[_run_key(workflow_id)] = started
    run: StartedRun | None = st.session_state.get(_run_key(workflow_id))
    with result_col:
        if run is None:
            st.caption("Start a run to see its status and result here.")
        else:
            _run_result(services, run)
    schedule_panel(services, services.workflows.get(workflow_id).name)
    _recent_runs(services, workflow_id)


def _start_form(
    services: UserServices, workflow_id: int, version: int, graph: Mapping[str, Any]
) -> StartedRun | None:
    if not offer(RunService.start):
        return None
    try:
        form = form_fields(services.runs.input_fields(workflow_id))
    except WorkflowBuilderError as error:
        st.error(markdown_literal(str(error)))
        return None
    with st.form(f"run_form_{workflow_id}_v{version}"):
        if not form:
            st.caption("This workflow takes no input.")
        submitted = form_widgets(form, key=f"run_input_{workflow_id}_v{version}")
        if not st.form_submit_button("Start run", type="primary", icon=":material/play_arrow:"):
            return None
    try:
        ref = services.runs.start(workflow_id, read_form(form, submitted))
    except FormInputError as error:
        st.error(markdown_literal(f"Input {error.field}: {error.reason}"), icon=":material/error:")
        return None
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"The run could not start: {error}"), icon=":material/error:")
        return None
    meta = graph_from_dict(graph).workflow
    return StartedRun(ref=ref, version=version, signals=meta.signals, queries=meta.queries)


def _run_result(services: UserServices, run: StartedRun) -> None:
    state = _fetch(services, run)
    if state is None:
        return
    if state.closed:
        _show_state(services, run, state)
        return
    _live_state(services, run)
    signals_and_queries(services, run.ref, run.signals, run.queries)


@fragment(run_every=POLL_SECONDS)
def _live_state(services: UserServices, run: StartedRun) -> None:
    # Polls while the run is open; once it closes, the whole page redraws without polling
    # and without the signal and query controls.
    state = _fetch(services, run)
    if state is None:
        return
    if state.closed:
        st.rerun()
    _show_state(services, run, state)
    st.button("Refresh", icon=":material/refresh:", key=f"refresh_{run.ref.run_id}")


def _show_state(services: UserServices, run: StartedRun, state: RunState) -> None:
    status = state.status.value
    colour = STATUS_BADGES[state.status]
    times = f"started {state.start_time:%H:%M:%S}" if state.start_time else "starting"
    if state.close_time:
        times += f", closed {state.close_time:%H:%M:%S}"
    run_id = markdown_code(run.ref.workflow_id)
    st.markdown(f"**Run** {run_id} :{colour}-badge[{status}]  \n{times}")
    url = run_url(services, workflow_id=run.ref.workflow_id, run_id=run.ref.run_id)
    if url is not None:
        st.markdown(f"[Open the run in Temporal Web UI]({url})")
    if status == "completed":
        st.code(json.dumps(state.result, indent=2, ensure_ascii=False), language="json")
    elif state.closed:
        where = _failed_where(services, run.ref)
        ended = f"The run {status}{where}: {state.error or 'no reason given'}"
        st.error(markdown_literal(ended), icon=":material/error:")
    st.markdown(f"[Open the run page]({run_link(run.ref.workflow_id, run.ref.run_id)})")


def _failed_where(services: UserServices, ref: RunRef) -> str:
    """`` at step <label> (<id>)`` from the run's history, or nothing when it cannot say."""
    try:
        detail = services.console.detail(ref.workflow_id, ref.run_id)
    except WorkflowBuilderError:
        return ""  # the message below still says why the run ended
    node_id = detail.trace.failed_node_id
    if node_id is None:
        return ""
    node = detail.graph.node(node_id) if detail.graph else None
    return f" at step {step_name(node_id, node.label if node else None)}"


def _fetch(services: UserServices, run: StartedRun) -> RunState | None:
    try:
        return services.runs.state(run.ref)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"Cannot read the run's state: {error}"))
        return None


@fragment(run_every=RECENT_SECONDS)
def _recent_runs(services: UserServices, workflow_id: int) -> None:
    # Refreshed on its own: runs started elsewhere (a schedule, the API) show up, and open
    # ones move on to their final status, while the page is just being watched.
    runs = services.runs.recent(workflow_id)
    st.markdown("**Recent runs**")
    if not runs:
        st.caption("No run yet.")
        return
    table = pd.DataFrame(
        [
            {
                "Run": item.workflow_id,
                "Version": item.version,
                "Status": item.status.value,
                "Started (UTC)": utc_text(item.start_time),
                "Duration": format_duration(item.duration),
                "Failed step": failed_step(item),
                "Detail": run_link(item.workflow_id, item.run_id),
                "Temporal": run_url(services, workflow_id=item.workflow_id, run_id=item.run_id),
            }
            for item in runs
        ]
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Detail": st.column_config.LinkColumn(
                "Detail", display_text="open run", help="The run's page: its steps on the graph"
            ),
            "Temporal": st.column_config.LinkColumn(
                "Temporal", display_text="history", help="The run in Temporal Web UI"
            ),
        },
    )


def _run_key(workflow_id: int) -> str:
    return f"run_started_{workflow_id}"
