"""The Runs page's query: filters, sort and page size, to and from a shareable URL."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from core.db import ExecutionFilter, ExecutionRecord, ExecutionSort, ExecutionStatus, RunTrigger

_E = TypeVar("_E", bound=enum.StrEnum)

#: Rows per page the Runs page offers; the first is the default.
PAGE_SIZES = (25, 50, 100)
#: Longest error preview in the runs table, in characters.
ERROR_PREVIEW_CHARS = 120


class TimeRange(enum.StrEnum):
    """How far back the runs list looks (by start time)."""

    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"
    ALL = "all"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        """What the page's time range control shows."""
        return _RANGE_LABELS[self]

    @classmethod
    def covering(cls, span: timedelta) -> TimeRange:
        """The shortest preset range reaching back at least ``span`` (else all time)."""
        return next((r for r, length in _RANGE_SPANS.items() if length >= span), cls.ALL)


_RANGE_LABELS = {
    TimeRange.HOUR: "Last hour",
    TimeRange.DAY: "Last 24 h",
    TimeRange.WEEK: "Last 7 days",
    TimeRange.MONTH: "Last 30 days",
    TimeRange.ALL: "All time",
    TimeRange.CUSTOM: "Custom dates",
}
_RANGE_SPANS = {
    TimeRange.HOUR: timedelta(hours=1),
    TimeRange.DAY: timedelta(days=1),
    TimeRange.WEEK: timedelta(days=7),
    TimeRange.MONTH: timedelta(days=30),
}
#: What the sort control calls each sortable column.
SORT_LABELS = {
    ExecutionSort.START_TIME: "Started",
    ExecutionSort.CLOSE_TIME: "Closed",
    ExecutionSort.WORKFLOW_ID: "Run id",
    ExecutionSort.STATUS: "Status",
    ExecutionSort.HISTORY_LENGTH: "History length",
}


@dataclass(frozen=True)
class RunQuery:
    """What the Runs page lists: its filters, sort order and page size.

    Attributes:
        workflow: the workflow's name (None: every workflow).
        version: one version number of it (None: any).
        statuses: statuses to show (empty: any).
        triggers: triggers to show (empty: any).
        time_range: how far back by start time.
        since: first day shown (UTC), for a custom range.
        until: last day shown, inclusive (UTC), for a custom range.
        search: a workflow id prefix or an exact run id.
    """

    workflow: str | None = None
    version: int | None = None
    statuses: tuple[ExecutionStatus, ...] = ()
    triggers: tuple[RunTrigger, ...] = ()
    time_range: TimeRange = TimeRange.ALL
    since: date | None = None
    until: date | None = None
    search: str = ""
    sort: ExecutionSort = ExecutionSort.START_TIME
    descending: bool = True
    page_size: int = PAGE_SIZES[0]

    def to_filter(self, *, definition_id: int | None, now: datetime) -> ExecutionFilter:
        """The database filter for this query.

        Args:
            definition_id: the id of :attr:`workflow` (the caller knows the workflows).
            now: the moment a relative time range counts back from.
        """
        after, before = self._window(now)
        return ExecutionFilter(
            statuses=self.statuses or None,
            triggers=self.triggers or None,
            definition_id=definition_id,
            version=self.version,
            search=self.search.strip() or None,
            started_after=after,
            started_before=before,
        )

    def _window(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        if self.time_range in _RANGE_SPANS:
            return now - _RANGE_SPANS[self.time_range], None
        if self.time_range is not TimeRange.CUSTOM:
            return None, None
        after = datetime.combine(self.since, time(), UTC) if self.since else None
        before = (
            datetime.combine(self.until + timedelta(days=1), time(), UTC) if self.until else None
        )
        return after, before

    def to_params(self) -> dict[str, str]:
        """URL query parameters that bring this query back (defaults left out)."""
        params: dict[str, str] = {}
        if self.workflow:
            params["workflow"] = self.workflow
        if self.version is not None:
            params["version"] = str(self.version)
        if self.statuses:
            params["status"] = ",".join(self.statuses)
        if self.triggers:
            params["trigger"] = ",".join(self.triggers)
        if self.time_range is not TimeRange.ALL:
            params["range"] = self.time_range.value
        if self.time_range is TimeRange.CUSTOM:
            if self.since:
                params["from"] = self.since.isoformat()
            if self.until:
                params["to"] = self.until.isoformat()
        if self.search.strip():
            params["q"] = self.search.strip()
        if self.sort is not ExecutionSort.START_TIME:
            params["sort"] = self.sort.value
        if not self.descending:
            params["order"] = "asc"
        if self.page_size != PAGE_SIZES[0]:
            params["size"] = str(self.page_size)
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, str | Sequence[str]]) -> RunQuery:
        """The query a shared link describes; values that make no sense are ignored.

        Statuses and triggers may be repeated (``status=a&status=b``) or comma separated;
        ``run`` is accepted as another name for the search ``q``.
        """
        values = {name: _values(raw) for name, raw in params.items()}

        def one(name: str) -> str | None:
            found = values.get(name)
            return found[-1].strip() if found else None

        time_range = _enum(TimeRange, one("range")) or TimeRange.ALL
        size = _integer(one("size"))
        return cls(
            workflow=one("workflow") or None,
            version=_integer(one("version")),
            statuses=_members(ExecutionStatus, values.get("status", [])),
            triggers=_members(RunTrigger, values.get("trigger", [])),
            time_range=time_range,
            since=_date(one("from")) if time_range is TimeRange.CUSTOM else None,
            until=_date(one("to")) if time_range is TimeRange.CUSTOM else None,
            search=one("q") or one("run") or "",
            sort=_enum(ExecutionSort, one("sort")) or ExecutionSort.START_TIME,
            descending=one("order") != "asc",
            page_size=size if size in PAGE_SIZES else PAGE_SIZES[0],
        )


def page_count(total: int, page_size: int) -> int:
    """Pages needed for ``total`` rows (at least one, so an empty list is "page 1 of 1")."""
    return max(1, math.ceil(total / page_size))


def format_duration(span: timedelta | None) -> str:
    """A duration for people: ``850 ms``, ``12.5 s``, ``3 m 20 s``, ``2 h 5 m``, ``3 d 4 h``."""
    if span is None:
        return ""
    seconds = max(span.total_seconds(), 0.0)
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} m"
    return f"{minutes} m {secs} s"


def utc_text(moment: datetime) -> str:
    """A moment as the runs tables show it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def age_text(moment: datetime, now: datetime) -> str:
    """How long ago ``moment`` was, roughly: ``just now``, ``40 s ago``, ``5 min ago``, ``3 h
    ago``, ``2 d ago``."""
    seconds = int((now - moment).total_seconds())
    if seconds < 5:
        return "just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def last_run_text(status: ExecutionStatus, start_time: datetime, now: datetime) -> str:
    """A workflow's last run in a few words: ``failed, 5 min ago``."""
    return f"{status.value.replace('_', ' ')}, {age_text(start_time, now)}"


def run_duration(record: ExecutionRecord, now: datetime) -> str:
    """How long a run took, or has been running so far."""
    if record.duration is not None:
        return format_duration(record.duration)
    return f"{format_duration(now - record.start_time)} so far"


def step_name(node_id: str, label: str | None) -> str:
    """A step as people know it and as the graph names it: ``label (id)``, or the id alone."""
    return f"{label} ({node_id})" if label and label != node_id else node_id


def failed_step(record: ExecutionRecord) -> str:
    """The step a failed run failed at, as ``label (id)``; empty when none is known."""
    if record.failed_node_id is None:
        return ""
    return step_name(record.failed_node_id, record.failed_node_label)


def error_preview(error: str | None, limit: int = ERROR_PREVIEW_CHARS) -> str:
    """The first line of an error, cut to ``limit`` characters (``…`` when cut)."""
    if not error:
        return ""
    line = error.strip().splitlines()[0] if error.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def run_link(workflow_id: str, run_id: str) -> str:
    """The relative URL of a run's page (``pages/run.py``)."""
    return "./run?" + urlencode({"workflow_id": workflow_id, "run_id": run_id})


def runs_link(workflow: str) -> str:
    """The relative URL of the Runs page filtered to one workflow (by name)."""
    return "./runs?" + urlencode({"workflow": workflow})


def _values(raw: str | Sequence[str]) -> list[str]:
    items = [raw] if isinstance(raw, str) else list(raw)
    return [part for item in items for part in item.split(",") if part.strip()]


def _enum(kind: type[_E], raw: str | None) -> _E | None:
    try:
        return kind(raw.strip().lower()) if raw else None
    except ValueError:
        return None


def _members(kind: type[_E], raw: Sequence[str]) -> tuple[_E, ...]:
    found = (_enum(kind, item) for item in raw)
    return tuple(dict.fromkeys(item for item in found if item is not None))


def _integer(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


def _date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
