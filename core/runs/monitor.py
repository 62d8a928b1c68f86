"""The run monitor: mirrors Temporal's visibility of managed runs into ``workflow_executions``.

One monitor works per database: every app process and standalone worker runs a candidate, and
the one holding the ``runs`` lease (a row in ``run_monitor``) does the work; when it dies its
lease expires and another takes over. Each pass lists, on the managed task queues, the runs
started and the runs closed since its watermarks (less an overlap that covers visibility lag),
writes what is new or changed, then reads the history of newly closed runs for their result or
failure and the step they failed at. Watermarks only move after a pass that succeeded, so a
Temporal or database outage, or a restart, is caught up from where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.client import WorkflowExecution
from temporalio.service import RPCError

from core.config import Settings
from core.db import (
    Database,
    DatabaseError,
    ExecutionRecord,
    ExecutionStatus,
    ObservedRun,
    RunDetails,
    RunTrigger,
    StepFigures,
    preview,
)
from core.db.types import utc_now
from core.executions import TRIGGER_MEMO, status_of
from core.runs.trace import NodeState, RunTrace
from core.runs.tracer import RunTracer
from core.schedules import TemporalCaller

logger = logging.getLogger(__name__)

#: The lease's name in ``run_monitor``.
LEASE = "runs"
#: Search attribute Temporal sets on runs a schedule started.
SCHEDULED_BY = "TemporalScheduledById"


@dataclass(frozen=True)
class MonitorSettings:
    """How often and how far back the monitor looks.

    Attributes:
        interval: seconds between passes.
        lease_ttl: how long a lease lasts unrenewed; another process takes over after it.
        overlap: how far behind each watermark a pass looks again (visibility lag, clocks).
        deep_overlap: the overlap of every ``deep_every``-th pass, a safety net for runs
            Temporal made visible later than ``overlap`` allows for.
        retention: closed runs older than this are deleted from the records (None: kept).
        details_per_pass: closed runs whose history a pass reads, at most.
        details_seconds: a quiet pass stops reading histories after about this long, so
            that new closes are listed again soon (the rest wait for the next pass).
        busy_details_seconds: the same for a pass that found runs changing: while runs
            close fast the monitor reads few histories at a time and leaves the machine to
            the runs themselves, then catches up when the load drops.
    """

    interval: float = 1.0
    lease_ttl: timedelta = timedelta(seconds=20)
    overlap: timedelta = timedelta(seconds=5)
    deep_overlap: timedelta = timedelta(minutes=5)
    deep_every: int = 60
    retention: timedelta | None = timedelta(days=30)
    details_per_pass: int = 100
    details_seconds: float = 0.5
    busy_details_seconds: float = 0.05

    @classmethod
    def from_settings(cls, settings: Settings) -> MonitorSettings:
        """The defaults, with the retention of ``WB_RUN_RETENTION_DAYS``."""
        days = settings.run_retention_days
        return cls(retention=timedelta(days=days) if days else None)


@dataclass(frozen=True)
class PassReport:
    """What one pass did."""

    held_lease: bool
    listed: int = 0
    changed: int = 0
    details: int = 0
    purged: int = 0


class RunMonitor:
    """Mirrors managed runs into the database on a thread of its own (see the module docstring).

    Args:
        database: the app's database.
        temporal: a client and its loop (the app's gateway or a worker's host).
        tracer: finds the step a failed run failed at.
        settings: timings.
        holder: names this process in the lease (default: host, pid and a random suffix).
    """

    def __init__(
        self,
        database: Database,
        temporal: TemporalCaller,
        tracer: RunTracer,
        settings: MonitorSettings = MonitorSettings(),
        *,
        holder: str | None = None,
    ) -> None:
        self._db = database
        self._temporal = temporal
        self._tracer = tracer
        self.settings = settings
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_purge = 0.0
        self._passes = 0
        # What the last pass listed, so runs listed again unchanged cost no database read.
        self._listed: dict[tuple[str, str], tuple[object, ...]] = {}

    def start(self) -> None:
        """Start competing for the lease and, while holding it, mirroring runs."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="run-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and give the lease up so another process takes over at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        try:
            self._db.monitor.release(LEASE, self.holder)
        except DatabaseError as error:  # the database is away: the lease simply expires
            logger.warning("could not release the run monitor lease: %s", error)

    @property
    def running(self) -> bool:
        """True while the monitor thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def run_pass(self) -> PassReport:
        """One pass: take or renew the lease, then mirror what changed (for tests and benches).

        Raises:
            WorkflowBuilderError, RPCError: the database or Temporal failed; nothing moved on.
        """
        if not self._db.monitor.acquire(LEASE, self.holder, ttl=self.settings.lease_ttl):
            return PassReport(held_lease=False)
        state = self._db.monitor.state(LEASE)
        began = utc_now()
        catalog = _Catalog.read(self._db)
        if not catalog.queues:
            self._db.monitor.advance(LEASE, self.holder, started=began, closed=began)
            return PassReport(held_lease=True)
        self._passes += 1
        deep = self._passes % self.settings.deep_every == 1
        overlap = self.settings.deep_overlap if deep else self.settings.overlap
        started = state.started_watermark if state else None
        closed = state.closed_watermark if state else None
        queries = [
            # Open runs only: a run that closed already comes with the closed ones.
            catalog.query("StartTime", started - overlap if started else None, open_only=True),
            catalog.query("CloseTime", closed - overlap if closed else None),
        ]
        listed = self._temporal.call(_list(self._temporal, queries), timeout=120)
        observed = [catalog.observe(execution) for execution in listed]
        fresh = [run for run in observed if self._listed.get(_key(run)) != _signature(run)]
        changed = self._db.executions.record_observed(fresh)
        self._listed = {_key(run): _signature(run) for run in observed}
        busy = bool(changed)
        details = self._read_details(
            self.settings.busy_details_seconds if busy else self.settings.details_seconds
        )
        purged = self._purge()
        self._db.monitor.advance(LEASE, self.holder, started=began, closed=began)
        return PassReport(True, len(observed), len(changed), details, purged)

    def _read_details(self, budget: float) -> int:
        pending = self._db.executions.needing_details(limit=self.settings.details_per_pass)
        if not pending:
            return 0
        found = self._temporal.call(self._details_of(pending, budget), timeout=120)
        self._db.executions.record_details_of(found)
        return len(found)

    async def _details_of(
        self, records: list[ExecutionRecord], budget: float
    ) -> list[tuple[str, str, RunDetails]]:
        limit = asyncio.Semaphore(8)
        deadline = time.monotonic() + budget

        async def one(record: ExecutionRecord) -> tuple[str, str, RunDetails] | None:
            async with limit:
                if time.monotonic() > deadline:
                    return None  # the next pass reads it
                handle = self._temporal.client.get_workflow_handle(
                    record.workflow_id, run_id=record.run_id
                )
                try:
                    history = await handle.fetch_history()
                except RPCError as error:  # gone (retention) or unreadable: mark it read
                    logger.info(
                        "no history for %s: %s",
                        record.workflow_id,
                        error.message,
                        extra={"workflow_id": record.workflow_id, "run_id": record.run_id},
                    )
                    return record.workflow_id, record.run_id, RunDetails()
                # Replaying makes the failed step exact; a completed run's steps are placed
                # by their labels, which costs no replay in this (the app's) process.
                exact = record.status is not ExecutionStatus.COMPLETED
                trace = await self._tracer.trace(history, record.workflow_type, exact=exact)
                return record.workflow_id, record.run_id, _details(trace, self._tracer, record)

        results = await asyncio.gather(*(one(record) for record in records))
        return [item for item in results if item is not None]

    def _purge(self) -> int:
        retention = self.settings.retention
        if retention is None or time.monotonic() - self._last_purge < 600:
            return 0
        self._last_purge = time.monotonic()
        return self._db.executions.purge(closed_before=utc_now() - retention)

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self.run_pass()
                failures = 0
            except Exception as error:  # noqa: BLE001 - the monitor must outlive any outage
                # Temporal or the database is away (or answered oddly): wait longer each
                # time, then catch up from the watermarks, which did not move.
                failures += 1
                logger.warning("run monitor pass failed (%d in a row): %s", failures, error)
                self._note_error(error)
            delay = min(self.settings.interval * (2 ** min(failures, 5)), 30.0)
            self._stop.wait(delay)

    def _note_error(self, error: BaseException) -> None:
        # When the database is the thing that is away, the log line already says so.
        with contextlib.suppress(DatabaseError):
            self._db.monitor.advance(
                LEASE, self.holder, started=None, closed=None, error=str(error)[:2000]
            )


@dataclass(frozen=True)
class _Catalog:
    """Managed task queues and deployed workflow types, read once per pass."""

    queues: tuple[str, ...]
    types: dict[str, tuple[int, int]]

    @classmethod
    def read(cls, database: Database) -> _Catalog:
        deployed = database.deployments.deployed_types()
        queues = {queue.name for queue in database.task_queues.find()}
        queues |= {item.task_queue for item in deployed}
        return cls(
            queues=tuple(sorted(q for q in queues if _quotable(q))),
            types={item.workflow_type: (item.workflow_id, item.version) for item in deployed},
        )

    def query(self, field: str, since: datetime | None, *, open_only: bool = False) -> str:
        names = ", ".join(f"'{queue}'" for queue in self.queues)
        query = f"TaskQueue IN ({names})"
        if open_only:
            query += " AND ExecutionStatus = 'Running'"
        if since is not None:
            query += f" AND {field} >= '{since.isoformat()}'"
        return query

    def observe(self, execution: WorkflowExecution) -> ObservedRun:
        definition, version = self.types.get(execution.workflow_type, (None, None))
        return ObservedRun(
            workflow_id=execution.id,
            run_id=execution.run_id,
            workflow_type=execution.workflow_type,
            task_queue=execution.task_queue,
            status=status_of(execution.status),
            start_time=execution.start_time,
            close_time=execution.close_time,
            history_length=execution.history_length,
            trigger=trigger_of(execution),
            parent_workflow_id=execution.parent_id,
            parent_run_id=execution.parent_run_id,
            definition_id=definition,
            version=version,
        )


def _details(trace: RunTrace, tracer: RunTracer, record: ExecutionRecord) -> RunDetails:
    label = None
    if trace.failed_node_id is not None:
        found = tracer.version_of(record.workflow_type)
        node = found.graph.node(trace.failed_node_id) if found else None
        label = node.label if node else None
    return RunDetails(
        input_preview=preview(trace.input),
        result_preview=preview(trace.result),
        error=trace.failure,
        failed_node_id=trace.failed_node_id,
        failed_node_label=label,
        steps=step_figures(trace),
    )


def _key(run: ObservedRun) -> tuple[str, str]:
    return run.workflow_id, run.run_id


def _signature(run: ObservedRun) -> tuple[object, ...]:
    return run.status, run.close_time, run.history_length


def step_figures(trace: RunTrace) -> tuple[StepFigures, ...]:
    """What each step of a traced run did, for the steps it reached."""
    figures = []
    for node in trace.nodes.values():
        if node.state is NodeState.NOT_REACHED or node.node_id == "start" and not node.calls:
            continue
        activities = [call for call in node.calls if call.kind == "activity"]
        spans = [
            (call.closed_at - call.scheduled_at).total_seconds()
            for call in node.calls
            if call.closed_at is not None
        ]
        figures.append(
            StepFigures(
                node_id=node.node_id,
                visits=node.visits,
                calls=len(activities),
                attempts=sum(call.attempt for call in activities),
                failed=node.state is NodeState.FAILED,
                seconds=sum(spans) if spans else None,
            )
        )
    return tuple(figures)


def trigger_of(execution: WorkflowExecution) -> RunTrigger:
    """What started a listed run: a parent, a schedule, the console, or anyone else."""
    if execution.parent_id:
        return RunTrigger.CHILD
    if SCHEDULED_BY in execution.search_attributes:
        return RunTrigger.SCHEDULE
    if TRIGGER_MEMO in execution.raw_info.memo.fields:
        return RunTrigger.MANUAL
    return RunTrigger.EXTERNAL


def _quotable(name: str) -> bool:
    # Queue names go into a visibility query between single quotes.
    return "'" not in name and "\\" not in name


async def _list(temporal: TemporalCaller, queries: list[str]) -> list[WorkflowExecution]:
    found: dict[tuple[str, str], WorkflowExecution] = {}
    for query in queries:
        async for execution in temporal.client.list_workflows(query, page_size=1000):
            found[(execution.id, execution.run_id)] = execution
    return list(found.values())
