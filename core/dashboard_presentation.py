"""How the dashboard shows its figures: tile texts and deltas, chart colours, links to the runs
behind a figure, and the schedule and worker columns, decided here and tested away from
Streamlit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from urllib.parse import urlencode

from core.dashboard import Period, Tile, Window
from core.db import ExecutionStatus
from core.db.repositories.analytics import FAILED
from core.runs.listing import RunQuery, TimeRange, format_duration

#: Chart colour of each run status: the hues of the Runs page's status badges (blue running,
#: green completed, red failed, orange canceled or terminated, violet continued), in shades
#: that stay apart when stacked.
STATUS_COLOURS: dict[ExecutionStatus, str] = {
    ExecutionStatus.RUNNING: "#2563EB",
    ExecutionStatus.COMPLETED: "#16A34A",
    ExecutionStatus.FAILED: "#DC2626",
    ExecutionStatus.TIMED_OUT: "#F87171",
    ExecutionStatus.CANCELED: "#F59E0B",
    ExecutionStatus.TERMINATED: "#C2410C",
    ExecutionStatus.CONTINUED_AS_NEW: "#7C3AED",
}
#: Chart colour of worker states.
WORKER_COLOURS = {"alive": "#16A34A", "lost": "#DC2626"}
#: The time range control's presets, in the order it offers them.
PERIODS: tuple[Period, ...] = (Period.HOUR, Period.DAY, Period.WEEK, Period.MONTH)
_PERIOD_RANGES = {
    Period.HOUR: TimeRange.HOUR,
    Period.DAY: TimeRange.DAY,
    Period.WEEK: TimeRange.WEEK,
    Period.MONTH: TimeRange.MONTH,
}

DeltaColour = Literal["normal", "inverse", "off"]


@dataclass(frozen=True)
class TileText:
    """A tile as ``st.metric`` takes it."""

    label: str
    value: str
    delta: str | None
    delta_color: DeltaColour
    help: str


def tile_text(tile: Tile) -> TileText:
    """The tile's value and its change against the period before, in its unit.

    Rates read as percentages (the change in points), durations in ms or s, counts as whole
    numbers. The delta is coloured green when it goes the good way (``inverse`` where lower is
    better) and grey when nothing changed or the figure has no better direction.
    """
    value = _figure(tile.value, tile.unit)
    if tile.previous is None:  # a figure of now (in flight, workers): nothing to compare
        return TileText(tile.label, value, None, "off", "As it is now")
    note = f"Previous period of the same length: {_figure(tile.previous, tile.unit)}"
    if tile.value is None:
        return TileText(tile.label, value, None, "off", note)
    change = tile.value - tile.previous
    if tile.higher_is_better is None or abs(change) < 1e-9:
        colour: DeltaColour = "off"
    else:
        colour = "normal" if tile.higher_is_better else "inverse"
    return TileText(tile.label, value, _change(change, tile.unit), colour, note)


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "s":
        return format_duration(timedelta(seconds=value))
    return f"{value:,.0f}"


def _change(change: float, unit: str) -> str:
    sign = "-" if change < 0 else "+"
    size = abs(change)
    if unit == "%":
        return f"{sign}{size:.1f} pts"
    if unit == "s":
        return sign + format_duration(timedelta(seconds=size))
    return f"{sign}{size:,.0f}"


def days_window(first: date, last: date) -> Window:
    """A custom range of whole UTC days, ``last`` included."""
    start = datetime.combine(first, time(), UTC)
    end = datetime.combine(last + timedelta(days=1), time(), UTC)
    return Window.between(start, end)


def failed_runs_link(
    workflow: str, *, period: Period | None = None, days: tuple[date, date] | None = None
) -> str:
    """The Runs page filtered to a workflow's failed runs in the dashboard's time range.

    Failed here means what the dashboard counts as failed: failed, timed out or terminated.
    """
    if period is not None:
        query = RunQuery(workflow=workflow, statuses=FAILED, time_range=_PERIOD_RANGES[period])
    elif days is not None:
        query = RunQuery(
            workflow=workflow,
            statuses=FAILED,
            time_range=TimeRange.CUSTOM,
            since=days[0],
            until=days[1],
        )
    else:
        query = RunQuery(workflow=workflow, statuses=FAILED)
    return "./runs?" + urlencode(query.to_params())


def upcoming_text(upcoming: Sequence[datetime], now: datetime, *, count: int = 3) -> str:
    """The next firings, soonest first: ``in 5 min (07:00 UTC), in 1 d (07:00 UTC)``."""
    return ", ".join(
        f"in {_until(moment - now)} ({moment.astimezone(UTC):%m-%d %H:%M} UTC)"
        for moment in list(upcoming)[:count]
    )


def _until(span: timedelta) -> str:
    seconds = max(int(span.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def outcomes_text(recent: Sequence[ExecutionStatus]) -> str:
    """Recent outcomes, newest first, as marks then counts: ``✓✓✗ (2 completed, 1 failed)``."""
    if not recent:
        return "no runs yet"
    marks = "".join(_MARKS.get(status, "·") for status in recent)
    counts = Counter(status.value.replace("_", " ") for status in recent)
    return f"{marks} ({', '.join(f'{n} {name}' for name, n in counts.most_common())})"


_MARKS = {
    ExecutionStatus.COMPLETED: "✓",
    ExecutionStatus.FAILED: "✗",
    ExecutionStatus.TIMED_OUT: "✗",
    ExecutionStatus.TERMINATED: "✗",
    ExecutionStatus.RUNNING: "…",
}


def memory_text(rss_bytes: int | None) -> str:
    """Resident memory in MB (``""`` when the worker has not reported it)."""
    return "" if rss_bytes is None else f"{rss_bytes / 1_000_000:,.0f} MB"


def uptime_text(seconds: float | None) -> str:
    """How long a worker process has been up (``""`` when not reported)."""
    return "" if seconds is None else format_duration(timedelta(seconds=seconds))
