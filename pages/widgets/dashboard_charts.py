"""The dashboard's charts: one function per chart, each with its title, units, hover details and
an empty state saying what will appear; sized to read on a projector."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core.dashboard import (
    DurationPoint,
    FailureRate,
    QueueFigures,
    RunCount,
    StepFailure,
    StepRetries,
    WorkerCount,
    WorkerFigures,
)
from core.dashboard_presentation import STATUS_COLOURS, WORKER_COLOURS, memory_text, uptime_text
from core.runs.listing import error_preview
from pages.widgets.axes import count_axis

#: Base font of every chart (px): readable from the back of a room.
FONT_PX = 16
TITLE_PX = 20
HEIGHT_PX = 380
#: Characters of an error message in a chart legend (the table below has it whole).
LEGEND_CHARS = 70
#: Shown where a chart of runs has nothing to draw.
NO_RUNS = "Runs appear here once a workflow runs. Start one from the builder or load demo data."


def _style(figure: go.Figure, *, title: str, x: str, y: str, height: int = HEIGHT_PX) -> None:
    # Streamlit's chart theme sets each part's font itself: a base font alone would not reach
    # the legend or the axes.
    font = {"size": FONT_PX}
    figure.update_layout(
        title={"text": title, "font": {"size": TITLE_PX}},
        font=font,
        hoverlabel={"font_size": FONT_PX},
        height=height,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.0,
            "x": 1,
            "xanchor": "right",
            "font": font,
            "title": {"text": ""},
        },
    )
    axis = {"automargin": True, "tickfont": font, "title_font": font}
    figure.update_xaxes(title=x, **axis)
    figure.update_yaxes(title=y, **axis)


def _draw(figure: go.Figure, key: str) -> None:
    st.plotly_chart(figure, width="stretch", key=key, config={"displaylogo": False})


def _empty(title: str, message: str) -> None:
    st.markdown(f"**{title}**")
    st.info(message, icon=":material/insert_chart:")


def _local(moment: datetime) -> datetime:
    """UTC without a zone: plotly draws zoned times in the server's zone otherwise."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def runs_over_time(counts: Sequence[RunCount], *, bucket_label: str) -> None:
    """Runs started per bucket, stacked by the status they are in now."""
    title = "Runs started, by status"
    if not any(count.runs for count in counts):
        _empty(title, NO_RUNS)
        return
    frame = pd.DataFrame(
        [
            {"Started (UTC)": _local(c.bucket), "Status": c.status.value, "Runs": c.runs}
            for c in counts
        ]
    )
    figure = px.bar(
        frame,
        x="Started (UTC)",
        y="Runs",
        color="Status",
        color_discrete_map={status.value: colour for status, colour in STATUS_COLOURS.items()},
        hover_data={"Started (UTC)": "|%Y-%m-%d %H:%M", "Runs": True, "Status": True},
    )
    figure.update_layout(bargap=0.1)
    _style(figure, title=title, x=f"Start time (UTC), per {bucket_label}", y="Runs started")
    _draw(figure, "chart_runs")


def durations(points: Sequence[DurationPoint]) -> None:
    """p50 (solid) and p95 (dashed) duration of each workflow's closed runs over time."""
    title = "Run duration per workflow (p50 solid, p95 dashed)"
    if not points:
        _empty(title, "Durations appear here once runs have finished. " + NO_RUNS)
        return
    figure = go.Figure()
    workflows = list(dict.fromkeys(p.workflow for p in points))
    palette = px.colors.qualitative.Plotly
    for number, workflow in enumerate(workflows):
        mine = [p for p in points if p.workflow == workflow]
        colour = palette[number % len(palette)]
        for name, dash, values in (
            ("p50", "solid", [p.p50_seconds for p in mine]),
            ("p95", "dash", [p.p95_seconds for p in mine]),
        ):
            figure.add_trace(
                go.Scatter(
                    x=[_local(p.bucket) for p in mine],
                    y=values,
                    name=workflow,
                    legendgroup=workflow,
                    showlegend=name == "p50",
                    mode="lines+markers",
                    line={"color": colour, "dash": dash},
                    customdata=[[p.runs] for p in mine],
                    hovertemplate=(
                        f"{workflow}<br>{name}: %{{y:.2f}} s<br>runs: %{{customdata[0]}}"
                        "<br>started %{x|%Y-%m-%d %H:%M} UTC<extra></extra>"
                    ),
                )
            )
    _style(figure, title=title, x="Start time (UTC)", y="Duration (s)")
    _legend_right(figure)
    # Minutes at most: with one bucket plotly would otherwise tick in fractions of a second.
    figure.update_xaxes(tickformat="%m-%d %H:%M")
    _draw(figure, "chart_durations")


def _legend_right(figure: go.Figure) -> None:
    """Many or long legend entries: beside the chart, where they cover neither the title nor
    the axis."""
    figure.update_layout(
        legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.02, "xanchor": "left"}
    )


def failure_rates(rates: Sequence[FailureRate]) -> None:
    """Each workflow's share of failed runs (failed, timed out or terminated)."""
    title = "Failure rate per workflow"
    if not rates:
        _empty(title, NO_RUNS)
        return
    frame = pd.DataFrame(
        [
            {
                "Workflow": r.workflow,
                "Failure rate (%)": 100 * r.rate,
                "Failed": r.failed,
                "Runs": r.runs,
            }
            for r in rates
        ]
    )
    figure = px.bar(
        frame,
        x="Failure rate (%)",
        y="Workflow",
        orientation="h",
        hover_data={"Failed": True, "Runs": True, "Failure rate (%)": ":.1f"},
    )
    figure.update_traces(marker_color=[_rate_colour(r.rate) for r in rates])
    figure.update_yaxes(categoryorder="array", categoryarray=[r.workflow for r in rates][::-1])
    figure.update_xaxes(range=[0, 100])
    _style(
        figure,
        title=title,
        x="Failed runs (% of runs)",
        y="",
        height=max(HEIGHT_PX, 120 + 34 * len(rates)),
    )
    _draw(figure, "chart_failure_rates")


def _rate_colour(rate: float) -> str:
    return "#DC2626" if rate >= 0.2 else "#F59E0B" if rate > 0 else "#16A34A"


def failing_steps(steps: Sequence[StepFailure], links: Sequence[str]) -> None:
    """The steps most runs failed at, a bar per step and message; the table below links each
    to its failed runs on the Runs page."""
    title = "Top failing steps"
    if not steps:
        _empty(title, "Steps that fail appear here, with their error messages grouped.")
        return
    frame = pd.DataFrame(
        [
            {
                "Step": f"{s.workflow} · {s.step}",
                "Error": error_preview(s.error, LEGEND_CHARS),
                "Message": s.error,
                "Failed runs": s.runs,
                "Last failed (UTC)": _local(s.last_failed) if s.last_failed else None,
            }
            for s in steps
        ]
    )
    figure = px.bar(
        frame,
        x="Failed runs",
        y="Step",
        color="Error",
        orientation="h",
        hover_data={"Error": True, "Message": False, "Last failed (UTC)": "|%Y-%m-%d %H:%M:%S"},
    )
    figure.update_yaxes(categoryorder="total ascending")
    _style(figure, title=title, x="Failed runs", y="", height=HEIGHT_PX + 30 * len(steps))
    # Messages are long: their legend goes under the chart, one per line.
    figure.update_layout(
        legend={"orientation": "v", "yanchor": "top", "y": -0.3, "x": 0, "xanchor": "left"}
    )
    _draw(figure, "chart_failing_steps")
    table = frame.drop(columns="Error").assign(**{"Failed runs on the Runs page": list(links)})
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Step": st.column_config.TextColumn("Step", width=240),
            "Message": st.column_config.TextColumn("Error", width=300),
            "Failed runs": st.column_config.NumberColumn("Runs", width="small"),
            "Last failed (UTC)": st.column_config.DatetimeColumn(
                "Last failed (UTC)", format="YYYY-MM-DD HH:mm:ss", width="medium"
            ),
            "Failed runs on the Runs page": st.column_config.LinkColumn(
                "Open", display_text="failed runs", width="small"
            ),
        },
    )


def retries(steps: Sequence[StepRetries]) -> None:
    """Activity retries per step (attempts beyond each call's first)."""
    title = "Activity retries per step"
    if not any(s.retries for s in steps):
        _empty(title, "Steps whose activities were retried appear here, most retries first.")
        return
    frame = pd.DataFrame(
        [
            {
                "Step": f"{s.workflow} · {s.step}",
                "Retries": s.retries,
                "Calls": s.calls,
                "Runs": s.runs,
                "Mean call (s)": s.mean_seconds,
            }
            for s in steps
            if s.retries
        ]
    )
    figure = px.bar(
        frame,
        x="Retries",
        y="Step",
        orientation="h",
        color_discrete_sequence=["#F59E0B"],
        hover_data={"Calls": True, "Runs": True, "Mean call (s)": ":.2f"},
    )
    figure.update_yaxes(categoryorder="total ascending")
    _style(
        figure,
        title=title,
        x="Retries (attempts beyond the first)",
        y="",
        height=min(HEIGHT_PX, 150 + 50 * len(frame)),
    )
    _draw(figure, "chart_retries")


def queues(figures: Sequence[QueueFigures]) -> None:
    """Each task queue's backlog and schedule-to-start latency, as Temporal reports them."""
    title = "Task queue backlog and schedule-to-start latency"
    loads = [(q.task_queue, load) for q in figures for load in q.loads]
    for queue in figures:
        if queue.error:
            st.caption(f"{queue.task_queue}: {queue.error}")
    if not loads:
        _empty(title, "Task queues appear here once a workflow is deployed and Temporal answers.")
        return
    frame = pd.DataFrame(
        [
            {
                "Task queue": name,
                "Tasks": f"{load.kind} tasks",
                "Backlog": load.backlog,
                "Latency (s)": load.backlog_age_seconds,
                "Added per s": load.add_rate,
                "Dispatched per s": load.dispatch_rate,
            }
            for name, load in loads
        ]
    )
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
    )
    for kind, colour in (("workflow tasks", "#2563EB"), ("activity tasks", "#F59E0B")):
        mine = frame[frame["Tasks"] == kind]
        for column, value in ((1, "Backlog"), (2, "Latency (s)")):
            figure.add_trace(
                go.Bar(
                    x=mine[value],
                    y=mine["Task queue"],
                    orientation="h",
                    name=kind,
                    legendgroup=kind,
                    showlegend=column == 1,
                    marker_color=colour,
                    customdata=mine[["Added per s", "Dispatched per s"]],
                    hovertemplate=(
                        f"%{{y}}<br>{kind}<br>{value}: %{{x}}<br>added %{{customdata[0]:.2f}}/s,"
                        " dispatched %{customdata[1]:.2f}/s<extra></extra>"
                    ),
                ),
                row=1,
                col=column,
            )
    figure.update_layout(barmode="group")
    _style(figure, title=title, x="", y="", height=_rows(frame))
    _legend_right(figure)
    # An idle queue has no bars: the axes still start at zero instead of centring on it.
    figure.update_xaxes(rangemode="nonnegative")
    figure.update_xaxes(title="Tasks waiting", row=1, col=1)
    figure.update_xaxes(title="Oldest waiting task (s)", row=1, col=2)
    _draw(figure, "chart_queues")


def _rows(frame: pd.DataFrame) -> int:
    return max(HEIGHT_PX, 160 + 36 * frame["Task queue"].nunique())


def workers_over_time(counts: Sequence[WorkerCount], *, bucket_label: str) -> None:
    """Workers alive in each bucket, and workers lost in it."""
    title = "Workers over time"
    if not any(c.workers for c in counts):
        _empty(title, "Workers appear here once a workflow is deployed and its workers start.")
        return
    frame = pd.DataFrame(
        [{"Time (UTC)": _local(c.bucket), "Status": c.status, "Workers": c.workers} for c in counts]
    )
    figure = px.area(
        frame,
        x="Time (UTC)",
        y="Workers",
        color="Status",
        color_discrete_map=WORKER_COLOURS,
        hover_data={"Time (UTC)": "|%Y-%m-%d %H:%M"},
    )
    _style(figure, title=title, x=f"Time (UTC), per {bucket_label}", y="Workers")
    figure.update_yaxes(**count_axis(int(frame.groupby("Time (UTC)")["Workers"].sum().max())))
    _draw(figure, "chart_workers")


def worker_table(workers: Sequence[WorkerFigures]) -> None:
    """Each registered worker's status and its process's CPU, memory and uptime."""
    if not workers:
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Worker": w.worker_id,
                    "Task queue": w.task_queue,
                    "Status": w.status,
                    "Host": w.host,
                    "CPU (%)": w.cpu_percent,
                    "Memory": memory_text(w.rss_bytes),
                    "Up for": uptime_text(w.uptime_seconds),
                }
                for w in workers
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Worker": st.column_config.TextColumn("Worker", width=260),
            "Task queue": st.column_config.TextColumn("Task queue", width=220),
            "Status": st.column_config.TextColumn("Status", width=70),
            "Host": st.column_config.TextColumn("Host", width=60),
            "CPU (%)": st.column_config.NumberColumn("CPU (%)", format="%.1f", width=60),
            "Memory": st.column_config.TextColumn("Memory", width=75),
            "Up for": st.column_config.TextColumn("Up for", width=75),
        },
    )
