"""Home: the operations dashboard (runs, failures, durations, queues, workers, schedules over a
time range), with demo data and the example gallery for an app that has no runs yet."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from core.auth import require
from core.background import Job
from core.dashboard import DashboardService, Period, Window
from core.dashboard_presentation import (
    PERIODS,
    days_window,
    failed_runs_link,
    outcomes_text,
    tile_text,
    upcoming_text,
)
from core.demo import DemoData, DemoReport
from core.errors import WorkflowBuilderError
from core.services import WorkflowService
from pages.widgets import dashboard_charts as charts
from pages.widgets.example_gallery import example_gallery
from pages.widgets.services import allowed, get_services, needs, user_services
from pages.widgets.temporal import temporal_ready

#: Seconds between refreshes of the figures while the page is open.
LIVE_SECONDS = 10.0
#: Rounds of 21 runs the "Load demo data" button drives, and the seconds they spread over.
DEMO_SIZE, DEMO_SPREAD = 5, 30.0
#: Where the session keeps the demo data job under way, and how often its progress is read.
DEMO_JOB, WATCH_SECONDS = "demo_job", 0.5
#: Height of a summary tile (px), so tiles with and without a change line up.
TILE_PX = 140
CUSTOM = "custom"
BUCKET_WORDS = {60: "minute", 1800: "30 minutes", 3600: "hour", 6 * 3600: "6 hours", 86400: "day"}

services = user_services()
st.title("Dashboard")
st.caption(
    "Workflow Builder: draw workflows, build them into Temporal code, deploy them to managed "
    "workers, and watch their runs here."
)
dashboard: DashboardService = services.dashboard
# Queues and schedules need Temporal, and runs are only recorded while it is started: start it
# when something is deployed (an empty app opens without waiting for it).
if dashboard.has_deployments() and temporal_ready(services):
    dashboard = services.dashboard


def _demo() -> DemoData:
    """Demo data works on the process's own services (it reaches below them: records, workers),
    so only a role that may delete workflows (admin) gets it, checked in core first."""
    require(services.actor, WorkflowService.delete, target="demo data")
    return DemoData(get_services())


def _start_demo() -> None:
    """Load the demo data as a background job: it runs to its end (deploys, then about half a
    minute of runs) whatever the page does meanwhile; `_watch_demo` shows it."""
    if DEMO_JOB in st.session_state or not temporal_ready(services):
        return
    demo = _demo()
    st.session_state[DEMO_JOB] = Job(
        lambda progress: demo.load(size=DEMO_SIZE, spread=DEMO_SPREAD, progress=progress)
    )


def _watch_demo() -> None:
    """Show the demo data loading, line by line, until it ends; then remember how it went.

    A rerun may cut this short at any element call: the job goes on, and the next run of the
    page watches it again.
    """
    job: Job[str, DemoReport] | None = st.session_state.get(DEMO_JOB)
    if job is None:
        return
    with st.status("Loading demo data (under a minute)...", expanded=True) as status:
        shown, ended = 0, False
        while not ended:
            ended = job.wait(WATCH_SECONDS)
            for line in job.reports[shown:]:
                status.write(line)
            shown = len(job.reports)
        # Remembered, and the job forgotten, before anything more is drawn.
        try:
            st.session_state["demo_report"] = job.result().lines()
        except WorkflowBuilderError as error:
            st.session_state["demo_error"] = f"Demo data could not be loaded: {error}"
        finally:
            del st.session_state[DEMO_JOB]
    st.rerun()


def _remove_demo() -> None:
    try:
        removal = _demo().remove()
    except WorkflowBuilderError as error:
        st.session_state["demo_error"] = f"Demo data could not be removed: {error}"
        return
    st.session_state["demo_report"] = removal.lines()


def _controls() -> tuple[Period | None, tuple[date, date] | None, int | None]:
    """Time range and workflow; (period, custom days, workflow id)."""
    workflows = {item.id: item.name for item in services.workflows.list()}
    left, middle, right = st.columns([1.2, 1.6, 2], vertical_alignment="bottom")
    choice = left.selectbox(
        "Time range",
        [*PERIODS, CUSTOM],
        index=1,
        format_func=lambda item: "Custom dates" if item == CUSTOM else item.label,
        key="dashboard_range",
    )
    days = None
    if choice == CUSTOM:
        today = datetime.now(UTC).date()
        picked = middle.date_input(
            "Days (UTC): first and last",
            value=(today - timedelta(days=6), today),
            max_value=today,
            format="YYYY-MM-DD",
            key="dashboard_days",
        )
        if len(picked) == 2:
            days = (picked[0], picked[1])
        else:
            middle.caption("Pick the last day too.")
            days = (picked[0], picked[0]) if picked else (today, today)
    chosen = right.selectbox(
        "Workflow",
        [None, *workflows],
        format_func=lambda item: "All workflows" if item is None else workflows[item],
        key="dashboard_workflow",
    )
    return (choice if isinstance(choice, Period) else None), days, chosen


def _window(period: Period | None, days: tuple[date, date] | None) -> Window:
    if period is not None:
        return Window.last(period)
    assert days is not None
    return days_window(*days)


def _bucket_words(window: Window) -> str:
    seconds = int(window.bucket.total_seconds())
    return BUCKET_WORDS.get(seconds, f"{seconds // 60} minutes")


def _tiles(service: DashboardService, window: Window, definition_id: int | None) -> None:
    tiles = [tile_text(tile) for tile in service.tiles(window, definition_id=definition_id)]
    for row in (tiles[:4], tiles[4:]):
        for column, tile in zip(st.columns(4), row, strict=False):
            column.metric(
                tile.label,
                tile.value,
                tile.delta,
                delta_color=tile.delta_color,
                help=tile.help,
                border=True,
                height=TILE_PX,
            )


def _figures(
    period: Period | None, days: tuple[date, date] | None, definition_id: int | None
) -> None:
    """Everything that moves: redrawn on its own every LIVE_SECONDS."""
    service = services.dashboard
    window = _window(period, days)
    bucket = _bucket_words(window)
    _tiles(service, window, definition_id)
    charts.runs_over_time(
        service.runs_over_time(window, definition_id=definition_id), bucket_label=bucket
    )
    charts.durations(service.durations(window, definition_id=definition_id))
    charts.failure_rates(service.failure_rates(window, definition_id=definition_id))
    steps = service.failing_steps(window, definition_id=definition_id)
    charts.failing_steps(
        steps, [failed_runs_link(step.workflow, period=period, days=days) for step in steps]
    )
    charts.retries(service.retries(window, definition_id=definition_id))

    st.subheader("Task queues")
    if not services.temporal_started:
        st.info(
            "Temporal is not started yet: queue backlogs and schedules appear once a workflow "
            "is deployed or another page starts it.",
            icon=":material/cloud_off:",
        )
    else:
        charts.queues(service.queues())

    st.subheader("Workers")
    charts.workers_over_time(service.workers_over_time(window), bucket_label=bucket)
    charts.worker_table(service.workers())

    st.subheader("Schedules")
    _schedules(service)


def _schedules(service: DashboardService) -> None:
    if not services.temporal_started:
        return
    schedules = service.schedules()
    if not schedules:
        st.info(
            "Schedules appear here once a workflow with a cron trigger is deployed.",
            icon=":material/schedule:",
        )
        return
    now = datetime.now(UTC)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Workflow": item.workflow,
                    "Cron (UTC)": item.cron,
                    "State": "paused" if item.paused else "active",
                    "Next firings": upcoming_text(item.upcoming, now) or (item.error or ""),
                    "Last 10 scheduled runs, newest first": outcomes_text(item.recent),
                }
                for item in schedules
            ]
        ),
        hide_index=True,
        width="stretch",
    )


if report := st.session_state.pop("demo_report", None):
    st.success("\n\n".join(report), icon=":material/check_circle:")
if failure := st.session_state.pop("demo_error", None):
    st.error(failure, icon=":material/error:")
_watch_demo()

has_runs = dashboard.has_runs()
if not has_runs:
    st.info(
        "No runs yet. Start one from the builder, or load demo data: the examples deployed as "
        "demo_* workflows and a minute of runs (successes, failures, retries, signals, "
        "scheduled runs) to fill this dashboard.",
        icon=":material/monitoring:",
    )
    demo_allowed = allowed(WorkflowService.delete)
    if st.button(
        "Load demo data",
        icon=":material/play_arrow:",
        type="primary",
        disabled=not demo_allowed,
        help=needs(WorkflowService.delete),
    ):
        _start_demo()
        st.rerun()  # the next run watches it (above)
    with st.expander("Examples", expanded=True, icon=":material/library_books:"):
        example_gallery(services)

period, days, definition_id = _controls()
st.fragment(run_every=LIVE_SECONDS)(_figures)(period, days, definition_id)

if has_runs:
    with st.expander("Examples", icon=":material/library_books:"):
        example_gallery(services)
    demo = DemoData(get_services())
    if allowed(WorkflowService.delete) and demo.names():
        with st.expander("Demo data", icon=":material/science:"):
            st.caption(
                "Removes the demo_* workflows, their schedules and their run records "
                "(Temporal keeps the histories)."
            )
            if st.button("Remove demo data", icon=":material/delete:"):
                _remove_demo()
                st.rerun()
