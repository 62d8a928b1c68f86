"""The worker registry: registration, status life cycle, heartbeats, lost workers, capabilities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.db.errors import DuplicateRecordError, RecordNotFoundError, WorkerNotLiveError
from core.db.models import WorkerCapabilityRow, WorkerRow
from core.db.records import Capability, WorkerRecord, WorkerStatus
from core.db.repositories._base import Repository, check_transition, to_record
from core.db.types import utc_now

S = WorkerStatus
# starting -> running -> stopping -> stopped; anything can fail; stopped/failed restart.
WORKER_TRANSITIONS: Mapping[WorkerStatus, frozenset[WorkerStatus]] = {
    S.STARTING: frozenset({S.RUNNING, S.FAILED}),
    S.RUNNING: frozenset({S.STOPPING, S.FAILED}),
    S.STOPPING: frozenset({S.STOPPED, S.FAILED}),
    S.STOPPED: frozenset({S.STARTING, S.FAILED}),
    S.FAILED: frozenset({S.STARTING, S.FAILED}),
}
LIVE_STATUSES = frozenset({S.STARTING, S.RUNNING, S.STOPPING})
#: How the error of a worker failed for missing heartbeats begins (see ``mark_lost``).
LOST_ERROR_PREFIX = "lost: "


class WorkerRepository(Repository):
    """Workers registered by the app's worker manager and by ``python -m core.worker``."""

    def register(
        self,
        *,
        worker_id: str,
        task_queue: str,
        host: str,
        pid: int | None = None,
        port: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        capabilities: Iterable[Capability] = (),
    ) -> WorkerRecord:
        """Record a worker as ``starting``; a stopped or failed ``worker_id`` is restarted.

        Raises:
            DuplicateRecordError: a live (starting/running/stopping) worker has ``worker_id``.
        """
        now = utc_now()
        with self._writing() as session:
            row = _find(session, worker_id, for_update=True)
            if row is None:
                row = WorkerRow(worker_id=worker_id, status=S.STARTING)
                session.add(row)
            elif row.status in LIVE_STATUSES:
                raise DuplicateRecordError(
                    "worker", worker_id, detail=f"it is {row.status} on {row.host}"
                )
            else:
                _restart(row, now)
            row.task_queue = task_queue
            row.host = host
            row.pid = pid
            row.port = port
            row.started_at = now
            row.worker_metadata = dict(metadata or {})
            session.flush()
            _replace_capabilities(session, worker_id, capabilities)
            return _record(row)

    def get(self, worker_id: str) -> WorkerRecord:
        """A worker by id.

        Raises:
            RecordNotFoundError: no such worker.
        """
        with self._reading() as session:
            return _record(_load(session, worker_id))

    def set_status(
        self, worker_id: str, status: WorkerStatus, *, error: str | None = None
    ) -> WorkerRecord:
        """Move a worker to ``status`` if its life cycle allows it (see ``WORKER_TRANSITIONS``).

        ``stopped``/``failed`` set ``stopped_at``; ``starting`` from them is a restart and
        clears the previous error. ``error`` is stored with ``failed``.

        Raises:
            RecordNotFoundError: no such worker.
            InvalidTransitionError: the transition is not allowed, for example running -> starting.
        """
        now = utc_now()
        with self._writing() as session:
            row = _load(session, worker_id, for_update=True)
            check_transition(
                kind="worker",
                key=worker_id,
                current=row.status,
                target=status,
                transitions=WORKER_TRANSITIONS,
            )
            if status is S.STARTING:
                _restart(row, now)
            row.status = status
            if status in (S.STOPPED, S.FAILED):
                row.stopped_at = now
            if error is not None:
                row.error = error
            return _record(row)

    def heartbeat(
        self,
        worker_id: str,
        *,
        at: datetime | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> WorkerRecord:
        """Record that a live worker is still there, with what its process uses now.

        ``resources`` (CPU, memory, uptime) replaces ``metadata["resources"]``.

        Raises:
            RecordNotFoundError: no such worker.
            WorkerNotLiveError: the worker is stopped or failed (for instance marked lost).
        """
        with self._writing() as session:
            row = _load(session, worker_id, for_update=True)
            if row.status not in LIVE_STATUSES:
                raise WorkerNotLiveError(worker_id, row.status)
            row.last_heartbeat = at or utc_now()
            if resources is not None:
                # A new dict: the JSON column only notices a value assigned, not one mutated.
                row.worker_metadata = {**row.worker_metadata, "resources": dict(resources)}
            return _record(row)

    def mark_lost(
        self, *, older_than: timedelta, now: datetime | None = None
    ) -> list[WorkerRecord]:
        """Fail starting/running workers whose last heartbeat (or start) is older than the limit.

        Args:
            older_than: how long without a heartbeat makes a worker lost.
            now: the current time (tests pass their own).

        Returns:
            The workers just marked failed, each with error ``lost: no heartbeat since <time>``.
        """
        now = now or utc_now()
        last_seen = func.coalesce(WorkerRow.last_heartbeat, WorkerRow.started_at)
        with self._writing() as session:
            rows = session.scalars(
                select(WorkerRow)
                .where(
                    WorkerRow.status.in_([S.STARTING, S.RUNNING]),
                    last_seen < now - older_than,
                )
                .order_by(WorkerRow.worker_id)
                .with_for_update()
            ).all()
            for row in rows:
                seen = row.last_heartbeat or row.started_at
                row.status = S.FAILED
                row.stopped_at = now
                row.error = f"{LOST_ERROR_PREFIX}no heartbeat since {seen.isoformat()}"
            return [_record(row) for row in rows]

    def find(
        self,
        *,
        task_queue: str | None = None,
        statuses: Iterable[WorkerStatus] | None = None,
        workflow_type: str | None = None,
    ) -> list[WorkerRecord]:
        """Workers by id, optionally only those on a queue, in some statuses, able to run a type."""
        query = select(WorkerRow).order_by(WorkerRow.worker_id)
        if task_queue is not None:
            query = query.where(WorkerRow.task_queue == task_queue)
        if statuses is not None:
            query = query.where(WorkerRow.status.in_(list(statuses)))
        if workflow_type is not None:
            query = query.where(
                select(WorkerCapabilityRow.id)
                .where(
                    WorkerCapabilityRow.worker_id == WorkerRow.worker_id,
                    WorkerCapabilityRow.workflow_type == workflow_type,
                    # The type itself, not only activities of it (activity-only workers).
                    WorkerCapabilityRow.activity_name.is_(None),
                )
                .exists()
            )
        with self._reading() as session:
            return [_record(row) for row in session.scalars(query)]

    def set_capabilities(self, worker_id: str, capabilities: Iterable[Capability]) -> None:
        """Replace what a worker says it can run.

        Raises:
            RecordNotFoundError: no such worker.
        """
        with self._writing() as session:
            _load(session, worker_id, for_update=True)
            _replace_capabilities(session, worker_id, capabilities)

    def capabilities(self, worker_id: str) -> list[Capability]:
        """What a worker can run, sorted by workflow type then activity."""
        with self._reading() as session:
            rows = session.scalars(
                select(WorkerCapabilityRow).where(WorkerCapabilityRow.worker_id == worker_id)
            )
            found = [Capability(row.workflow_type, row.activity_name) for row in rows]
        return sorted(found, key=lambda c: (c.workflow_type, c.activity_name or ""))


def _find(session: Session, worker_id: str, *, for_update: bool) -> WorkerRow | None:
    query = select(WorkerRow).where(WorkerRow.worker_id == worker_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def _load(session: Session, worker_id: str, *, for_update: bool = False) -> WorkerRow:
    row = _find(session, worker_id, for_update=for_update)
    if row is None:
        raise RecordNotFoundError("worker", worker_id)
    return row


def _restart(row: WorkerRow, now: datetime) -> None:
    row.status = S.STARTING
    row.stopped_at = None
    row.error = None
    row.last_heartbeat = None
    row.started_at = now


def _replace_capabilities(
    session: Session, worker_id: str, capabilities: Iterable[Capability]
) -> None:
    session.execute(delete(WorkerCapabilityRow).where(WorkerCapabilityRow.worker_id == worker_id))
    session.add_all(
        WorkerCapabilityRow(
            worker_id=worker_id,
            workflow_type=capability.workflow_type,
            activity_name=capability.activity_name,
        )
        for capability in dict.fromkeys(capabilities)
    )


def _record(row: WorkerRow) -> WorkerRecord:
    return to_record(WorkerRecord, row, metadata=row.worker_metadata)
