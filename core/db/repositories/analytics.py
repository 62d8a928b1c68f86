"""Aggregates over the execution records for the dashboard, computed in SQL."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Float, Integer, case, cast, func, select

from core.db.models import ExecutionRow, RunStepRow
from core.db.records import ExecutionStatus
from core.db.repositories._base import Repository
from core.db.timefunctions import epoch_seconds, seconds_between

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Scope:
    """Which runs an aggregate counts: started in ``[start, end)``, of one workflow or all."""

    start: datetime
    end: datetime
    definition_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions of the scope."""
        checks = [ExecutionRow.start_time >= self.start, ExecutionRow.start_time < self.end]
        if self.definition_id is not None:
            checks.append(ExecutionRow.definition_id == self.definition_id)
        return checks


@dataclass(frozen=True)
class StatusBucket:
    """How many runs started in one time bucket ended (so far) in one status."""

    bucket: datetime
    status: ExecutionStatus
    runs: int


@dataclass(frozen=True)
class WorkflowCounts:
    """Runs and failed runs of one workflow (None: runs of types no workflow owns)."""

    definition_id: int | None
    runs: int
    failed: int


@dataclass(frozen=True)
class Durations:
    """The durations in seconds of one workflow's closed runs started in one time bucket."""

    definition_id: int | None
    bucket: datetime
    seconds: tuple[float, ...]


@dataclass(frozen=True)
class FailingStep:
    """Failed runs that failed at one step with one message."""

    definition_id: int | None
    node_id: str | None
    node_label: str | None
    error: str
    runs: int
    last_failed: datetime | None


@dataclass(frozen=True)
class StepUse:
    """What one step of one workflow did over the closed runs in scope.

    ``retries`` are activity attempts beyond the first of each call.
    """

    definition_id: int | None
    node_id: str
    runs: int
    calls: int
    attempts: int
    failed: int
    seconds: float

    @property
    def retries(self) -> int:
        """Attempts beyond the first of each activity call."""
        return self.attempts - self.calls

    @property
    def mean_seconds(self) -> float | None:
        """Mean time of one call of the step (None without calls)."""
        return self.seconds / self.calls if self.calls else None


#: Failures counted as failed runs by the dashboard.
FAILED = (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.TERMINATED)
#: Characters of an error message its failures are grouped by.
ERROR_GROUP_CHARS = 160


class AnalyticsRepository(Repository):
    """Read-only aggregates; every method is one indexed query over ``workflow_executions``."""

    def status_buckets(self, scope: Scope, *, bucket: timedelta) -> list[StatusBucket]:
        """Runs per start-time bucket and status, oldest bucket first."""
        size = bucket.total_seconds()
        slot = cast(func.floor(epoch_seconds(ExecutionRow.start_time) / size), Integer)
        query = (
            select(slot, ExecutionRow.status, func.count())
            .where(*scope.conditions())
            .group_by(slot, ExecutionRow.status)
            .order_by(slot)
        )
        with self._reading() as session:
            return [
                StatusBucket(_EPOCH + timedelta(seconds=int(index) * size), status, count)
                for index, status, count in session.execute(query)
            ]

    def workflow_counts(self, scope: Scope) -> list[WorkflowCounts]:
        """Runs and failed runs per workflow, most runs first."""
        failed = func.sum(case((ExecutionRow.status.in_(FAILED), 1), else_=0))
        query = (
            select(ExecutionRow.definition_id, func.count(), failed)
            .where(*scope.conditions())
            .group_by(ExecutionRow.definition_id)
            .order_by(func.count().desc())
        )
        with self._reading() as session:
            return [
                WorkflowCounts(definition, int(runs), int(failures or 0))
                for definition, runs, failures in session.execute(query)
            ]

    def durations(self, scope: Scope, *, bucket: timedelta) -> list[Durations]:
        """Closed runs' durations in seconds, per workflow and start-time bucket.

        Every duration is fetched (percentiles need them all), as plain rows grouped here:
        a dataclass per run cost more than the query over 100,000 runs.
        """
        size = bucket.total_seconds()
        slot = cast(func.floor(epoch_seconds(ExecutionRow.start_time) / size), Integer)
        # As a float in SQL: PostgreSQL's EXTRACT gives numerics, slow to turn into Decimals.
        seconds = cast(seconds_between(ExecutionRow.start_time, ExecutionRow.close_time), Float)
        query = select(ExecutionRow.definition_id, slot, seconds).where(
            *scope.conditions(),
            ExecutionRow.close_time.is_not(None),
            ExecutionRow.status != ExecutionStatus.CONTINUED_AS_NEW,
        )
        grouped: dict[tuple[int | None, int], list[float]] = defaultdict(list)
        with self._reading() as session:
            for definition, index, value in session.execute(query):
                grouped[(definition, index)].append(value)
        return [
            Durations(definition, _EPOCH + timedelta(seconds=int(index) * size), tuple(values))
            for (definition, index), values in grouped.items()
        ]

    def in_flight(self, definition_id: int | None = None) -> int:
        """Runs recorded as running now."""
        query = select(func.count()).where(ExecutionRow.status == ExecutionStatus.RUNNING)
        if definition_id is not None:
            query = query.where(ExecutionRow.definition_id == definition_id)
        with self._reading() as session:
            return int(session.scalar(query) or 0)

    def failing_steps(self, scope: Scope, *, limit: int = 10) -> list[FailingStep]:
        """Failed runs grouped by workflow, step and the start of their message, most first."""
        message = func.substr(func.coalesce(ExecutionRow.error, ""), 1, ERROR_GROUP_CHARS)
        query = (
            select(
                ExecutionRow.definition_id,
                ExecutionRow.failed_node_id,
                func.max(ExecutionRow.failed_node_label),
                message,
                func.count(),
                func.max(ExecutionRow.close_time),
            )
            .where(*scope.conditions(), ExecutionRow.status.in_(FAILED))
            .group_by(ExecutionRow.definition_id, ExecutionRow.failed_node_id, message)
            .order_by(func.count().desc())
            .limit(limit)
        )
        with self._reading() as session:
            return [FailingStep(*row) for row in session.execute(query)]

    def step_use(self, scope: Scope) -> list[StepUse]:
        """Per workflow and step: runs that reached it, calls, attempts, failures, time."""
        step = RunStepRow
        query = (
            select(
                ExecutionRow.definition_id,
                step.node_id,
                func.count(),
                func.sum(step.calls),
                func.sum(step.attempts),
                func.sum(case((step.failed, 1), else_=0)),
                func.sum(func.coalesce(step.seconds, 0.0)),
            )
            .join(ExecutionRow, ExecutionRow.id == step.execution_id)
            .where(*scope.conditions())
            .group_by(ExecutionRow.definition_id, step.node_id)
            .order_by((func.sum(step.attempts) - func.sum(step.calls)).desc(), step.node_id)
        )
        with self._reading() as session:
            return [
                StepUse(
                    definition,
                    node,
                    int(runs),
                    int(calls or 0),
                    int(attempts or 0),
                    int(failed or 0),
                    float(seconds or 0.0),
                )
                for definition, node, runs, calls, attempts, failed, seconds in session.execute(
                    query
                )
            ]

    def by_trigger(self, scope: Scope) -> dict[str, int]:
        """Runs per trigger (``unknown`` for runs recorded before triggers were)."""
        query = (
            select(ExecutionRow.trigger, func.count())
            .where(*scope.conditions())
            .group_by(ExecutionRow.trigger)
        )
        with self._reading() as session:
            return {str(trigger or "unknown"): count for trigger, count in session.execute(query)}


def buckets_between(start: datetime, end: datetime, size: timedelta) -> Sequence[datetime]:
    """The bucket starts covering ``[start, end)``, aligned like the SQL buckets."""
    seconds = size.total_seconds()
    first = int((start - _EPOCH).total_seconds() // seconds)
    # The bucket holding the last moment before ``end``: an ``end`` on a bucket boundary
    # does not open one more (empty) bucket.
    last = math.ceil((end - _EPOCH).total_seconds() / seconds) - 1
    return [_EPOCH + timedelta(seconds=i * seconds) for i in range(first, max(first, last) + 1)]
