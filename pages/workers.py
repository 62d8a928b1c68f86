"""Workers: every registered worker by task queue, Temporal's own view of the pollers, controls."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from core.db import QueueStrategy, WorkerStatus
from core.errors import WorkflowBuilderError
from core.fleet import MAX_POOL_SIZE, FleetService, QueueView, WorkerView
from core.text import markdown_literal, plotly_literal
from pages.widgets.axes import count_axis
from pages.widgets.services import offer, user_services
from pages.widgets.temporal import temporal_ready

_STRATEGIES = {
    QueueStrategy.PER_WORKFLOW: "a queue per workflow",
    QueueStrategy.SINGLE: "one queue for everything",
    QueueStrategy.POOL: "a pool of workers",
}
_STATUS_COLOURS = {
    "running": "#15803D",
    "starting": "#1D4ED8",
    "stopping": "#B45309",
    "lost": "#DC2626",
    "failed": "#991B1B",
    "stopped": "#9CA3AF",
}


def status_label(worker: WorkerView) -> str:
    """The status a person reads: ``lost`` for a worker failed for missing heartbeats."""
    return "lost" if worker.lost else worker.status.value


def worker_rows(workers: tuple[WorkerView, ...], *, show_stopped: bool) -> pd.DataFrame:
    """One row per worker in the queue's order, live ones first (stopped ones only when asked
    for)."""
    rows = [
        {
            "Worker": worker.worker_id,
            "Status": status_label(worker),
            "Host": worker.record.host,
            "PID": worker.record.pid,
            "Heartbeat": _age(worker.heartbeat_age_seconds),
            "Started": worker.record.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            "Error": worker.record.error or "",
        }
        for worker in workers
        if show_stopped or worker.status is not WorkerStatus.STOPPED
    ]
    return pd.DataFrame(
        rows, columns=["Worker", "Status", "Host", "PID", "Heartbeat", "Started", "Error"]
    )


def _age(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def _status_chart(queues: list[QueueView]) -> None:
    """Workers by queue and status, for a fleet too big to read off the panels at a glance."""
    counts = pd.DataFrame(
        [
            {"Task queue": plotly_literal(queue.name), "Status": status_label(worker)}
            for queue in queues
            for worker in queue.workers
            if worker.status is not WorkerStatus.STOPPED
        ],
        columns=["Task queue", "Status"],
    )
    if counts.empty:
        return
    figure = px.histogram(
        counts,
        y="Task queue",
        color="Status",
        color_discrete_map=_STATUS_COLOURS,
        orientation="h",
        height=80 + 40 * counts["Task queue"].nunique(),
    )
    largest = int(counts["Task queue"].value_counts().max())
    figure.update_layout(
        xaxis_title="workers", yaxis_title=None, margin={"l": 0, "r": 0, "t": 10, "b": 0}
    )
    figure.update_xaxes(**count_axis(largest))
    st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})


def _controls(fleet: FleetService, queue: QueueView) -> None:
    """Start or restart, stop and scale this process's workers of the queue."""
    if not offer(FleetService.start_queue):
        return
    start_col, stop_col, _, size_col, scale_col = st.columns(
        [1, 1, 2, 1.4, 1], vertical_alignment="bottom"
    )
    if queue.running_here:
        start = start_col.button(
            "Restart",
            key=f"restart_{queue.name}",
            icon=":material/restart_alt:",
            help="Stop this process's workers of the queue and start them with fresh code",
        )
    else:
        start = start_col.button(
            "Start",
            key=f"start_{queue.name}",
            icon=":material/play_circle:",
            disabled=queue.standalone_only,
            help=(
                "WB_STANDALONE_QUEUES leaves the queue to standalone workers"
                if queue.standalone_only
                else "Run workers for the queue in this process"
            ),
        )
    stop = stop_col.button(
        "Stop",
        key=f"stop_{queue.name}",
        icon=":material/stop_circle:",
        disabled=not queue.running_here,
        help="Drain this process's workers of the queue (running activities finish)",
    )
    size = size_col.number_input(
        "Workers per process",
        min_value=1,
        max_value=MAX_POOL_SIZE,
        value=queue.pool_size if queue.strategy is QueueStrategy.POOL else 1,
        key=f"size_{queue.name}",
        help="Scale makes the queue a pool of this many workers in each process",
    )
    scale = scale_col.button("Scale", key=f"scale_{queue.name}", icon=":material/tune:")
    try:
        if start and queue.running_here:
            done = f"{len(fleet.restart_queue(queue.name))} worker(s) restarted"
        elif start:
            done = f"{len(fleet.start_queue(queue.name))} worker(s) started"
        elif stop:
            fleet.stop_queue(queue.name)
            done = "stopped"
        elif scale:
            fleet.scale_queue(queue.name, int(size))
            done = f"a pool of {int(size)} per process"
        else:
            return
    except WorkflowBuilderError as error:
        st.error(markdown_literal(str(error)), icon=":material/error:")
        return
    st.toast(markdown_literal(f"{queue.name}: {done}"), icon=":material/check_circle:")
    st.rerun()


def _queue_panel(fleet: FleetService, queue: QueueView, *, show_stopped: bool) -> None:
    with st.container(border=True):
        here = " :blue-badge[served here]" if queue.running_here else ""
        only = " :violet-badge[activity-only]" if queue.activity_only else ""
        if queue.standalone_only:
            only += " :gray-badge[standalone workers only]"
        pool = f", {queue.pool_size} per process" if queue.strategy is QueueStrategy.POOL else ""
        name = markdown_literal(queue.name)
        # Placement strategies say how workflows spread over queues: none runs on this one.
        unplaced = queue.activity_only and queue.strategy is not QueueStrategy.POOL
        strategy = "" if unplaced else f" · {_STRATEGIES[queue.strategy]}{pool}"
        st.markdown(f"**{name}**{strategy}{here}{only}")
        if queue.step_deployments:
            steps = "; ".join(
                f"{d.workflow_type}: {', '.join(queue.step_activities(d))}"
                for d in queue.step_deployments
            )
            lead = "Runs only steps of" if queue.activity_only else "Also runs steps of"
            st.caption(markdown_literal(f"{lead} workflows that run on their own queues: {steps}."))
        table = worker_rows(queue.workers, show_stopped=show_stopped)
        st.dataframe(table, hide_index=True, width="stretch")
        if table.empty:
            stopped = len(queue.workers)
            st.caption(
                f"No live worker; {stopped} stopped (turn on Show stopped workers to see them)."
                if stopped
                else "No worker is registered on this queue."
            )
        polling = sorted({poller.identity for poller in queue.pollers})
        st.caption(
            markdown_literal(f"Temporal sees {len(polling)} poller(s): {', '.join(polling)}")
            if polling
            else "Temporal sees nobody polling this queue."
        )
        if queue.stopped_pollers:
            st.caption(
                markdown_literal(
                    "Stopped workers Temporal still lists: "
                    + ", ".join(queue.stopped_pollers)
                    + " (it forgets a poller about five minutes after its last poll)."
                )
            )
        if queue.unregistered_pollers:
            st.warning(
                markdown_literal(
                    "Polling but not a live worker of this app: "
                    + ", ".join(queue.unregistered_pollers)
                    + " (another tool's worker, or a registry entry gone stale)."
                ),
                icon=":material/help:",
            )
        _controls(fleet, queue)


services = user_services()
st.title("Workers")
st.caption(
    "Every worker registered in this app's database, in any process or machine, with "
    "Temporal's own view of who polls each task queue. A worker whose heartbeat stops is "
    "shown lost."
)
if not temporal_ready(services):
    st.stop()
show_stopped = st.toggle("Show stopped workers", key="workers_show_stopped")
try:
    queues = services.fleet.queues()
except WorkflowBuilderError as error:
    st.error(markdown_literal(f"Cannot read the fleet: {error}"), icon=":material/error:")
    st.stop()

workers = [worker for queue in queues for worker in queue.workers]
running, lost, pollers, unknown = st.columns(4)
running.metric("Running workers", sum(w.status is WorkerStatus.RUNNING for w in workers))
lost.metric("Lost or failed", sum(w.status is WorkerStatus.FAILED for w in workers))
pollers.metric("Task queues", len(queues))
unknown.metric("Unregistered pollers", sum(len(q.unregistered_pollers) for q in queues))
if len(queues) > 1:
    _status_chart(queues)
if not queues:
    st.info("No task queue yet: deploy a workflow and its workers appear here.")
for queue in queues:
    _queue_panel(services.fleet, queue, show_stopped=show_stopped)
st.button("Refresh", icon=":material/refresh:", key="workers_refresh")
