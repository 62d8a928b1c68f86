"""The run's event timeline: activities, timers, child runs and signal waits as bars over time."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.runs import RunTrace
from core.runs.listing import format_duration
from core.runs.presentation import OUTCOME_COLOURS, timeline_bars
from core.text import plotly_literal

_TIME = "%H:%M:%S.%f"
#: Pixels per timeline row, and the chart's bounds.
_ROW_PX, _MIN_PX, _MAX_PX = 34, 220, 700


def run_timeline(trace: RunTrace, *, now: datetime, closed_at: datetime | None) -> None:
    """Draw the timeline chart of ``trace`` (open bars reach ``closed_at`` or ``now``)."""
    bars = timeline_bars(trace.timeline, now=now, closed_at=closed_at)
    if not bars:
        st.caption("Nothing on the timeline yet: no activity, timer, child run or signal.")
        return
    spans = [bar for bar in bars if bar.end is not None]
    points = [bar for bar in bars if bar.end is None]
    rows = list(dict.fromkeys(plotly_literal(bar.label) for bar in bars))
    figure = go.Figure()
    if spans:
        frame = pd.DataFrame(
            [
                {
                    "Step": plotly_literal(bar.label),
                    "Start": _local(bar.start),
                    "End": _local(bar.end),
                    "Outcome": "open" if bar.open else bar.outcome,
                    "Kind": bar.kind,
                    "Took": format_duration(bar.end - bar.start) if bar.end else "",
                    "From": bar.start.strftime(_TIME)[:-3],
                }
                for bar in spans
            ]
        )
        figure = px.timeline(
            frame,
            x_start="Start",
            x_end="End",
            y="Step",
            color="Outcome",
            color_discrete_map=OUTCOME_COLOURS,
            hover_name="Step",
            hover_data={
                "Kind": True,
                "Outcome": True,
                "From": True,
                "Took": True,
                "Step": False,
                "Start": False,
                "End": False,
            },
        )
    if points:
        figure.add_trace(
            go.Scatter(
                x=[_local(bar.start) for bar in points],
                y=[plotly_literal(bar.label) for bar in points],
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": OUTCOME_COLOURS["received"]},
                name="signal received",
                hovertemplate="signal %{y}<br>at %{x}<extra></extra>",
            )
        )
    figure.update_yaxes(
        title="Step", categoryorder="array", categoryarray=list(reversed(rows)), automargin=True
    )
    figure.update_xaxes(title="Time", type="date")
    figure.update_layout(
        title="What the run did, over time",
        height=max(_MIN_PX, min(_MAX_PX, 110 + _ROW_PX * len(rows))),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        legend_title_text="Outcome",
    )
    st.plotly_chart(figure, width="stretch", key="run_timeline")


def _local(moment: datetime | None) -> datetime | None:
    """Local time without a zone: history times, now and the record's close time come with
    different zones, and pandas refuses a column that mixes them."""
    return moment.astimezone().replace(tzinfo=None) if moment is not None else None
