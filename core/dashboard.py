"""The operations dashboard: run and worker figures for a period, beside the period before.

Everything but the task queue loads and schedules comes from the database (the run monitor's
records, worker heartbeats), so the dashboard draws while Temporal is away; those two parts ask
Temporal and are left empty, with the reason, when it cannot answer.
"""

from __future__ import annotations

import enum
import logging
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from core.auth import SYSTEM, Actor, reads
from core.db import (
    Database,
    DeploymentStatus,
    ExecutionFilter,
    ExecutionStatus,
    RunTrigger,
    WorkerRecord,
)
from core.db.repositories import Durations, Scope, WorkflowCounts, buckets_between
from core.db.types import utc_now
from core.errors import WorkflowBuilderError
from core.fleet.pollers import QueueLoad, describe_queue_load
from core.graph import graph_from_dict
from core.runs.listing import step_name
from core.schedules import ScheduleService, TemporalCaller

logger = logging.getLogger(__name__)


class Period(enum.Enum):
    """Preset time ranges, each with the bucket its charts use."""

    HOUR = ("Last hour", timedelta(hours=1), timedelta(minutes=1))
    DAY = ("Last 24 hours", timedelta(days=1), timedelta(minutes=30))
    WEEK = ("Last 7 days", timedelta(days=7), timedelta(hours=6))
    MONTH = ("Last 30 days", timedelta(days=30), timedelta(days=1))

    def __init__(self, label: str, span: timedelta, bucket: timedelta) -> None:
        self.label = label
        self.span = span
        self.bucket = bucket


@dataclass(frozen=True)
class Window:
    """The time the dashboard covers, and the size of its chart buckets."""

    start: datetime
    end: datetime
    bucket: timedelta

    @classmethod
    def last(cls, period: Period, *, now: datetime | None = None) -> Window:
        """The period up to now."""
        end = now or utc_now()
        return cls(end - period.span, end, period.bucket)

    @classmethod
    def between(cls, start: datetime, end: datetime) -> Window:
        """A custom range, with buckets that make about 60 bars of it."""
        span = max(end - start, timedelta(minutes=1))
        steps = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
        size = next((s for s in steps if span.total_seconds() / s <= 60), steps[-1])
        return cls(start, end, timedelta(seconds=size))

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        span = self.end - self.start
        return Window(self.start - span, self.start, self.bucket)


@dataclass(frozen=True)
class Tile:
    """A headline figure with the figure of the period before (None where it has no meaning).

    ``higher_is_better`` says which way the change is good, for its colour.
    """

    label: str
    value: float | None
    previous: float | None
    unit: str = ""
    higher_is_better: bool | None = None


@dataclass(frozen=True)
class RunCount:
    """Runs started in one bucket that are (now) in one status."""

    bucket: datetime
    status: ExecutionStatus
    runs: int


@dataclass(frozen=True)
class DurationPoint:
    """Duration percentiles of one workflow's runs started in one bucket."""

    workflow: str
    bucket: datetime
    p50_seconds: float
    p95_seconds: float
    runs: int


@dataclass(frozen=True)
class FailureRate:
    """One workflow's failed runs out of its runs."""

    workflow: str
    runs: int
    failed: int

    @property
    def rate(self) -> float:
        """Failed runs as a share of runs (0 to 1)."""
        return self.failed / self.runs if self.runs else 0.0


@dataclass(frozen=True)
class StepFailure:
    """Failed runs that failed at one step with one message; ``definition_id`` and
    ``node_id`` give the Runs page filter behind it."""

    workflow: str
    definition_id: int | None
    node_id: str | None
    step: str
    error: str
    runs: int
    last_failed: datetime | None


@dataclass(frozen=True)
class StepRetries:
    """Activity retries and time of one step over the period's closed runs."""

    workflow: str
    step: str
    runs: int
    calls: int
    retries: int
    mean_seconds: float | None


@dataclass(frozen=True)
class QueueFigures:
    """One task queue: Temporal's backlog and latency, or why they are missing."""

    task_queue: str
    loads: tuple[QueueLoad, ...]
    live_workers: int
    error: str | None = None


@dataclass(frozen=True)
class WorkerFigures:
    """One registered worker with what its last heartbeat said of its process."""

    worker_id: str
    task_queue: str
    status: str
    host: str
    cpu_percent: float | None
    rss_bytes: int | None
    uptime_seconds: float | None


@dataclass(frozen=True)
class WorkerCount:
    """Workers alive (or lost) during one bucket."""

    bucket: datetime
    status: str
    workers: int


@dataclass(frozen=True)
class ScheduleFigures:
    """A workflow's schedule: next firings and the outcome of its recent runs."""

    workflow: str
    cron: str
    paused: bool
    upcoming: tuple[datetime, ...]
    recent: tuple[ExecutionStatus, ...]
    error: str | None = None


class DashboardService:
    """Figures for the dashboard page; take one per page view (it remembers what it read, so
    the tiles and charts share their queries, and would show stale figures if kept).

    Args:
        database: execution records, workers, schedules.
        temporal: asks Temporal for queue loads and schedules; None leaves them out.
    """

    actor: Actor = SYSTEM

    def __init__(self, database: Database, temporal: TemporalCaller | None = None) -> None:
        self._db = database
        self._temporal = temporal
        # A page view asks for the same aggregates more than once (the tiles and the charts):
        # each is read once per service, and the page takes a new service for each view.
        self._memo: dict[tuple[Any, ...], Any] = {}

    @reads
    def has_runs(self) -> bool:
        """Whether any run was ever recorded (an empty app offers demo data and examples)."""
        return bool(self._db.executions.find(ExecutionFilter(), limit=1, count=False).items)

    @reads
    def has_deployments(self) -> bool:
        """Whether any workflow is deployed: then queues and schedules are worth asking about."""
        return bool(self._db.deployments.find(statuses=(DeploymentStatus.ACTIVE,)))

    @reads
    def tiles(self, window: Window, *, definition_id: int | None = None) -> list[Tile]:
        """Runs, failed, failure rate, p50 and p95 duration, in flight, workers alive and lost."""
        now, before = (
            self._headline(window, definition_id),
            self._headline(window.previous(), definition_id),
        )
        workers = self._db.workers.find()
        alive = sum(1 for w in workers if w.status.value in ("starting", "running"))
        lost = sum(1 for w in workers if w.status.value == "failed")
        return [
            Tile("Runs", now.runs, before.runs, higher_is_better=None),
            Tile("Failed", now.failed, before.failed, higher_is_better=False),
            Tile("Failure rate", now.rate, before.rate, "%", higher_is_better=False),
            Tile("p50 duration", now.p50, before.p50, "s", higher_is_better=False),
            Tile("p95 duration", now.p95, before.p95, "s", higher_is_better=False),
            Tile("In flight", self._db.analytics.in_flight(definition_id), None),
            Tile("Workers alive", alive, None, higher_is_better=True),
            Tile("Workers lost", lost, None, higher_is_better=False),
        ]

    @reads
    def runs_over_time(self, window: Window, *, definition_id: int | None = None) -> list[RunCount]:
        """Runs per bucket and status; every bucket of the window is there (zero when empty)."""
        found = self._db.analytics.status_buckets(
            _scope(window, definition_id), bucket=window.bucket
        )
        counts = {(item.bucket, item.status): item.runs for item in found}
        statuses = sorted({item.status for item in found}, key=list(ExecutionStatus).index)
        return [
            RunCount(bucket, status, counts.get((bucket, status), 0))
            for bucket in buckets_between(window.start, window.end, window.bucket)
            for status in statuses
        ]

    @reads
    def durations(self, window: Window, *, definition_id: int | None = None) -> list[DurationPoint]:
        """p50 and p95 duration per workflow and bucket, of closed runs."""
        names = self._names()
        return [
            DurationPoint(
                names.get(group.definition_id, "(other)"),
                group.bucket,
                *_p50_p95(group.seconds),
                len(group.seconds),
            )
            for group in sorted(self._durations(window, definition_id), key=lambda g: g.bucket)
        ]

    @reads
    def failure_rates(
        self, window: Window, *, definition_id: int | None = None
    ) -> list[FailureRate]:
        """Per workflow: runs and failed runs, highest failure rate first."""
        names = self._names()
        rates = [
            FailureRate(names.get(item.definition_id, "(other)"), item.runs, item.failed)
            for item in self._counts(window, definition_id)
        ]
        return sorted(rates, key=lambda r: (-r.rate, -r.runs, r.workflow))

    @reads
    def failing_steps(
        self, window: Window, *, definition_id: int | None = None, limit: int = 10
    ) -> list[StepFailure]:
        """The steps most runs failed at, with their messages grouped."""
        names = self._names()
        return [
            StepFailure(
                workflow=names.get(item.definition_id, "(other)"),
                definition_id=item.definition_id,
                node_id=item.node_id,
                step=_step_name(item.node_id, item.node_label),
                error=item.error or "(no message)",
                runs=item.runs,
                last_failed=item.last_failed,
            )
            for item in self._db.analytics.failing_steps(_scope(window, definition_id), limit=limit)
        ]

    @reads
    def retries(
        self, window: Window, *, definition_id: int | None = None, limit: int = 15
    ) -> list[StepRetries]:
        """Steps by activity retries (then by name), over the period's closed runs."""
        names = self._names()
        labels = self._labels()
        found = self._db.analytics.step_use(_scope(window, definition_id))
        return [
            StepRetries(
                workflow=names.get(item.definition_id, "(other)"),
                step=_step_name(item.node_id, labels.get((item.definition_id, item.node_id))),
                runs=item.runs,
                calls=item.calls,
                retries=item.retries,
                mean_seconds=item.mean_seconds,
            )
            for item in found
            if item.calls
        ][:limit]

    @reads
    def queues(self) -> list[QueueFigures]:
        """Each managed queue's backlog and schedule-to-start latency from Temporal."""
        workers = self._db.workers.find()
        names = sorted(
            {q.name for q in self._db.task_queues.find()} | {w.task_queue for w in workers}
        )
        live: dict[str, int] = defaultdict(int)
        for worker in workers:
            if worker.status.value in ("starting", "running"):
                live[worker.task_queue] += 1
        figures = []
        for name in names:
            loads: tuple[QueueLoad, ...] = ()
            error = None
            if self._temporal is None:
                error = "Temporal is not started"
            else:
                try:
                    loads = tuple(
                        self._temporal.call(
                            describe_queue_load(self._temporal.client, name), timeout=15
                        )
                    )
                except (WorkflowBuilderError, TimeoutError) as exc:
                    error = str(exc)
            figures.append(QueueFigures(name, loads, live[name], error))
        return figures

    @reads
    def workers(self) -> list[WorkerFigures]:
        """Every registered worker with its last reported CPU, memory and uptime."""
        return [_worker_figures(record) for record in self._db.workers.find()]

    @reads
    def workers_over_time(self, window: Window) -> list[WorkerCount]:
        """Workers alive in each bucket, and workers lost (failed) in it."""
        records = self._db.workers.find()
        counts = []
        for bucket in buckets_between(window.start, window.end, window.bucket):
            end = bucket + window.bucket
            alive = sum(1 for r in records if _alive_during(r, bucket, end))
            lost = sum(
                1
                for r in records
                if r.status.value == "failed" and r.stopped_at and bucket <= r.stopped_at < end
            )
            counts += [WorkerCount(bucket, "alive", alive), WorkerCount(bucket, "lost", lost)]
        return counts

    @reads
    def schedules(self) -> list[ScheduleFigures]:
        """Each schedule with its next firings and the outcome of its last ten runs."""
        figures = []
        names = self._names()
        service = ScheduleService(self._db, self._temporal) if self._temporal else None
        for record in self._db.schedules.find():
            workflow = names.get(record.workflow_id, str(record.workflow_id))
            recent = self._db.executions.find(
                ExecutionFilter(definition_id=record.workflow_id, triggers=(RunTrigger.SCHEDULE,)),
                limit=10,
                count=False,
            )
            statuses = tuple(item.status for item in recent.items)
            upcoming: tuple[datetime, ...] = ()
            error = None
            if service is None:
                error = "Temporal is not started"
            else:
                try:
                    status = service.status(workflow)
                    upcoming = status.upcoming if status else ()
                except WorkflowBuilderError as exc:
                    error = str(exc)
            figures.append(
                ScheduleFigures(workflow, record.cron, record.paused, upcoming, statuses, error)
            )
        return figures

    def _headline(self, window: Window, definition_id: int | None) -> _Headline:
        counts = self._counts(window, definition_id)
        runs = sum(item.runs for item in counts)
        failed = sum(item.failed for item in counts)
        seconds = [
            value for group in self._durations(window, definition_id) for value in group.seconds
        ]
        p50, p95 = _p50_p95(seconds) if seconds else (None, None)
        return _Headline(runs, failed, 100.0 * failed / runs if runs else None, p50, p95)

    def _counts(self, window: Window, definition_id: int | None) -> list[WorkflowCounts]:
        key = ("counts", window, definition_id)
        if key not in self._memo:
            self._memo[key] = self._db.analytics.workflow_counts(_scope(window, definition_id))
        return cast(list[WorkflowCounts], self._memo[key])

    def _durations(self, window: Window, definition_id: int | None) -> list[Durations]:
        key = ("durations", window, definition_id)
        if key not in self._memo:
            self._memo[key] = self._db.analytics.durations(
                _scope(window, definition_id), bucket=window.bucket
            )
        return cast(list[Durations], self._memo[key])

    def _names(self) -> dict[int | None, str]:
        return {summary.id: summary.name for summary in self._db.workflows.find()}

    def _labels(self) -> dict[tuple[int | None, str], str]:
        """Node labels of each workflow's draft (the names people know the steps by)."""
        labels: dict[tuple[int | None, str], str] = {}
        for summary in self._db.workflows.find():
            document = self._db.workflows.get(summary.id).draft_graph
            try:
                graph = graph_from_dict(document)
            except WorkflowBuilderError:
                continue  # an unreadable draft: its steps show by id
            labels |= {(summary.id, node.id): node.label for node in graph.nodes if node.label}
        return labels


@dataclass(frozen=True)
class _Headline:
    runs: int
    failed: int
    rate: float | None
    p50: float | None
    p95: float | None


def _scope(window: Window, definition_id: int | None) -> Scope:
    return Scope(window.start, window.end, definition_id)


def _p50_p95(values: Sequence[float]) -> tuple[float, float]:
    if len(values) == 1:
        return values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _step_name(node_id: str | None, label: str | None) -> str:
    return "(unknown step)" if node_id is None else step_name(node_id, label)


def _alive_during(record: WorkerRecord, start: datetime, end: datetime) -> bool:
    stopped = record.stopped_at or (
        record.last_heartbeat if record.status.value == "failed" else None
    )
    return record.started_at < end and (stopped is None or stopped >= start)


def _worker_figures(record: WorkerRecord) -> WorkerFigures:
    resources = record.metadata.get("resources") if isinstance(record.metadata, dict) else None
    resources = resources if isinstance(resources, dict) else {}
    return WorkerFigures(
        worker_id=record.worker_id,
        task_queue=record.task_queue,
        status=record.status.value,
        host=record.host,
        cpu_percent=_number(resources.get("cpu_percent")),
        rss_bytes=int(rss) if (rss := _number(resources.get("rss_bytes"))) is not None else None,
        uptime_seconds=_number(resources.get("uptime_seconds")),
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
