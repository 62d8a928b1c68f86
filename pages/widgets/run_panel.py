"""Running the active version: the input form, the run's result, signals, updates, queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.db import VersionRecord
from core.errors import WorkflowBuilderError
from core.executions import RunRef, RunService, RunState
from core.graph import QueryDecl, SignalDecl, UpdateDecl, graph_from_dict
from core.run_forms import FormInputError, form_fields
from core.run_forms import form_values as read_form
from core.runs.listing import failed_step, run_duration, step_name, utc_text
from core.runs.presentation import STATUS_BADGES
from core.services import UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.errors import fragment
from pages.widgets.run_actions import RUN_PAGE, run_link
from pages.widgets.run_controls import form_widgets, signals_and_queries
from pages.widgets.schedule_panel import schedule_panel
from pages.widgets.services import offer
from pages.widgets.temporal import run_url

#: Seconds Start run waits for the run to close: a run that closes within it shows its
#: result with the start, without a poll.
RESULT_WAIT_SECONDS = 1.0
#: Seconds between status polls of a running run (and of the recent runs while one is open).
POLL_SECONDS = 2.0
#: Seconds between refreshes of the recent runs while none is open (runs started by the
#: schedule, someone else or another tool show up).
RECENT_SECONDS = 10.0


@dataclass(frozen=True)
class StartedRun:
    """The run this session started last, and what its version lets one send or ask."""

    ref: RunRef
    version: int
    signals: tuple[SignalDecl, ...]
    queries: tuple[QueryDecl, ...]
    updates: tuple[UpdateDecl, ...]
    #: Its state once closed (it no longer changes); None while it may still run.
    closed: RunState | None = None


def run_panel(services: UserServices, workflow_id: int) -> None:
    """The start form of the active version, the followed run's status and result (updated
    while it runs), the schedule, and recent runs (each opens its run page)."""
    active = services.deploy.active(workflow_id)
    if active is None:
        st.info("Nothing is deployed yet: **Deploy** the workflow, then run it here.")
        return
    version = next(v for v in services.deploy.versions(workflow_id) if v.id == active.version_id)
    form_col, result_col = st.columns([1, 1.4], gap="large")
    with form_col:
        start = f"**Start a run of version {version.version}**"
        st.markdown(f"{start} ({markdown_code(active.workflow_type)})")
        started = _start_form(services, workflow_id, version)
        if started is not None:
            st.session_state[_run_key(workflow_id)] = started
    run: StartedRun | None = st.session_state.get(_run_key(workflow_id))
    with result_col:
        if run is None:
            st.caption("Start a run to see its status and result here.")
        else:
            _run_result(services, workflow_id, run)
    fired = schedule_panel(services, services.workflows.get(workflow_id).name)
    if fired is not None:  # the result column follows the run the schedule started
        st.session_state[_run_key(workflow_id)] = _followed(fired, version)
        st.rerun()
    runs = services.runs.recent(workflow_id)
    live = any(not item.closed for item in runs)
    fragment(run_every=POLL_SECONDS if live else RECENT_SECONDS)(_recent_runs)(
        services, workflow_id, live
    )


def _start_form(
    services: UserServices, workflow_id: int, version: VersionRecord
) -> StartedRun | None:
    if not offer(RunService.start_and_wait):
        return None
    try:
        form = form_fields(services.runs.input_fields(workflow_id))
    except WorkflowBuilderError as error:
        st.error(markdown_literal(str(error)))
        return None
    with st.form(f"run_form_{workflow_id}_v{version.version}"):
        if not form:
            st.caption("This workflow takes no input.")
        submitted = form_widgets(form, key=f"run_input_{workflow_id}_v{version.version}")
        if not st.form_submit_button("Start run", type="primary", icon=":material/play_arrow:"):
            return None
    try:
        state = services.runs.start_and_wait(
            workflow_id, read_form(form, submitted), wait=RESULT_WAIT_SECONDS
        )
    except FormInputError as error:
        st.error(markdown_literal(f"Input {error.field}: {error.reason}"), icon=":material/error:")
        return None
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"The run could not start: {error}"), icon=":material/error:")
        return None
    return replace(_followed(state.ref, version), closed=state if state.closed else None)


def _followed(ref: RunRef, version: VersionRecord) -> StartedRun:
    """The run to follow in the result column, with what its version lets one send or ask."""
    meta = graph_from_dict(version.graph).workflow
    return StartedRun(
        ref=ref,
        version=version.version,
        signals=meta.signals,
        queries=meta.queries,
        updates=meta.updates,
    )


def _run_result(services: UserServices, workflow_id: int, run: StartedRun) -> None:
    state = run.closed or _fetch(services, run)
    if state is None:
        return
    if state.ref != run.ref:  # it continued as new: follow (and signal) the run going on now
        run = replace(run, ref=state.ref)
        st.session_state[_run_key(workflow_id)] = run
    if state.closed:
        _show_state(services, run, state)
        return
    # Polled while the run is open; once it closes, the whole page redraws without polling
    # and without the signal and query controls.
    fragment(run_every=POLL_SECONDS)(_live_state)(services, run)
    signals_and_queries(services, run.ref, run.signals, run.queries, run.updates)


def _live_state(services: UserServices, run: StartedRun) -> None:
    state = _fetch(services, run)
    if state is None:
        return
    if state.closed or state.ref != run.ref:
        st.rerun(scope="app")
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
    run_link(
        run.ref.workflow_id, run.ref.run_id, label="Open the run page", icon=":material/timeline:"
    )


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


def _recent_runs(services: UserServices, workflow_id: int, live: bool) -> None:
    # Redrawn on its own: every POLL_SECONDS while a run is open (it moves on to its final
    # status), every RECENT_SECONDS otherwise (runs started elsewhere show up).
    runs = services.runs.recent(workflow_id)
    if any(not item.closed for item in runs) != live:
        st.rerun(scope="app")  # a fragment's refresh changes only with the whole page
    st.markdown("**Recent runs**")
    if not runs:
        st.caption("No run yet.")
        return
    now = datetime.now(UTC)
    # A new key after each open: the table's selection would otherwise open the same run
    # again when the builder is shown next.
    opened = st.session_state.get(_OPENED, 0)
    picked = st.dataframe(
        pd.DataFrame(
            [
                {
                    "Run": item.workflow_id,
                    "Version": item.version,
                    "Status": item.status.value,
                    "Started (UTC)": utc_text(item.start_time),
                    "Duration": run_duration(item, now),
                    "Failed step": failed_step(item),
                    "Temporal": run_url(services, workflow_id=item.workflow_id, run_id=item.run_id),
                }
                for item in runs
            ]
        ),
        key=f"recent_runs_{workflow_id}_{opened}",
        on_select="rerun",
        # A click on any cell opens its run, as does the row's marker on the left.
        selection_mode=["single-row", "single-cell"],
        hide_index=True,
        width="stretch",
        column_config={
            "Version": st.column_config.NumberColumn("Version", format="v%d"),
            "Temporal": st.column_config.LinkColumn(
                "Temporal", display_text="history", help="The run in Temporal Web UI"
            ),
        },
    )
    st.caption("Click a run to open its page: its steps on the graph, timeline and actions.")
    # The Temporal cell is a link of its own: a click on it follows the link and opens nothing.
    rows = [
        *picked.selection.rows,
        *(row for row, column in picked.selection.cells if column != "Temporal"),
    ]
    if rows:
        st.session_state[_OPENED] = opened + 1
        chosen = runs[rows[0]]
        st.switch_page(
            RUN_PAGE, query_params={"workflow_id": chosen.workflow_id, "run_id": chosen.run_id}
        )


_OPENED = "recent_runs_opened"


def _run_key(workflow_id: int) -> str:
    return f"run_started_{workflow_id}"
