"""What fleet pages call: workers and heartbeat ages, queues with Temporal's pollers, controls."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from core.auth import SYSTEM, Actor, Role, action, reads
from core.db import (
    Database,
    DeploymentRecord,
    QueueStrategy,
    RecordNotFoundError,
    WorkerRecord,
    WorkerStatus,
)
from core.db.repositories.workers import LOST_ERROR_PREFIX
from core.db.types import utc_now
from core.fleet.code import SERVED_STATUSES, queues_to_serve, served_deployments, step_deployments
from core.fleet.manager import WorkerManager
from core.fleet.pollers import Poller, check_pollers, describe_pollers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerView:
    """A registered worker as a page shows it.

    Attributes:
        record: the registry row (status, host, pid, times, error).
        heartbeat_age_seconds: seconds since its last heartbeat (or its start), None once
            stopped or failed.
        identity: the identity its Temporal pollers carry: its registry id.
    """

    record: WorkerRecord
    heartbeat_age_seconds: float | None
    identity: str

    @property
    def worker_id(self) -> str:
        """The registry id."""
        return self.record.worker_id

    @property
    def status(self) -> WorkerStatus:
        """The registry status (lost workers are ``failed`` with a ``lost: ...`` error)."""
        return self.record.status

    @property
    def lost(self) -> bool:
        """Failed because its heartbeats stopped (the process died or lost its connection)."""
        return self.status is WorkerStatus.FAILED and (self.record.error or "").startswith(
            LOST_ERROR_PREFIX
        )


@dataclass(frozen=True)
class QueueView:
    """A task queue as the registry and Temporal each see it.

    Attributes:
        name: the queue.
        strategy: how deployments use it (``per_workflow`` when the queue has no row).
        pool_size: workers per process under the pool strategy.
        workers: registered workers on it, live ones first.
        pollers: who Temporal saw polling it (workflow and activity tasks).
        unregistered_pollers: identities Temporal sees that no live registered worker has
            (workers of other tools, or registry rows that went stale); see ``check_pollers``.
        stopped_pollers: identities of registered workers that stopped which Temporal still
            lists for a few minutes (not a warning).
        running_here: this process runs workers for it.
        step_deployments: live deployments whose steps run activities on it (their workflows
            run on their own queues), newest first.
        activity_only: no live deployment runs its workflow here; only steps use the queue.
        standalone_only: this process leaves the queue to standalone workers
            (``WB_STANDALONE_QUEUES``).
    """

    name: str
    strategy: QueueStrategy
    pool_size: int
    workers: tuple[WorkerView, ...]
    pollers: tuple[Poller, ...]
    unregistered_pollers: tuple[str, ...]
    stopped_pollers: tuple[str, ...]
    running_here: bool
    step_deployments: tuple[DeploymentRecord, ...] = ()
    activity_only: bool = False
    standalone_only: bool = False

    def step_activities(self, deployment: DeploymentRecord) -> tuple[str, ...]:
        """The activities ``deployment``'s steps run on this queue."""
        return tuple(deployment.step_queues.get(self.name, ()))


_LIVE = (WorkerStatus.STARTING, WorkerStatus.RUNNING, WorkerStatus.STOPPING)


class FleetService:
    """The fleet as pages see it; every method is synchronous and raises ``WorkflowBuilderError``.

    Args:
        database: the registry, deployments and task queues.
        manager: this process's worker manager (its host runs the Temporal queries).
    """

    actor: Actor = SYSTEM

    def __init__(self, database: Database, manager: WorkerManager) -> None:
        self._database = database
        self._manager = manager

    @reads
    def workers(
        self, *, task_queue: str | None = None, statuses: tuple[WorkerStatus, ...] | None = None
    ) -> list[WorkerView]:
        """Registered workers of every process, after failing those that stopped heartbeating."""
        self._mark_lost()
        now = utc_now()
        records = self._database.workers.find(task_queue=task_queue, statuses=statuses)
        return [_view(record, now) for record in records]

    @reads
    def queues(self) -> list[QueueView]:
        """Every known queue (task queue rows, registered workers, this process's workers, the
        queues live deployments' steps run on).

        Raises:
            FleetError: Temporal cannot describe a queue's pollers.
        """
        workers = self.workers()
        names = (
            {q.name for q in self._database.task_queues.find()}
            | {w.record.task_queue for w in workers}
            | set(self._manager.queues())
            | set(queues_to_serve(self._database, SERVED_STATUSES))
        )
        return [self._queue_view(name, workers) for name in sorted(names)]

    @reads
    def queue(self, task_queue: str) -> QueueView:
        """One queue as the registry and Temporal see it.

        Raises:
            FleetError: Temporal cannot describe the queue's pollers.
        """
        return self._queue_view(task_queue, self.workers(task_queue=task_queue))

    @action(Role.OPERATOR)
    def start_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Start this process's worker(s) for a queue (see ``WorkerManager.start_queue``)."""
        return self._manager.start_queue(task_queue)

    @action(Role.OPERATOR)
    def stop_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Drain and stop this process's worker(s) for a queue."""
        return self._manager.stop_queue(task_queue)

    @action(Role.OPERATOR)
    def restart_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Restart this process's worker(s) for a queue with fresh code."""
        return self._manager.restart_queue(task_queue)

    @action(Role.OPERATOR)
    def scale_queue(self, task_queue: str, size: int) -> list[WorkerRecord]:
        """Run ``size`` workers for a queue in this process (see ``WorkerManager.scale``)."""
        return self._manager.scale(task_queue, size)

    def _mark_lost(self) -> None:
        for lost in self._database.workers.mark_lost(older_than=self._manager.lost_after):
            logger.warning("worker %s is lost: %s", lost.worker_id, lost.error)

    def _queue_view(self, name: str, workers: list[WorkerView]) -> QueueView:
        host = self._manager.host
        pollers = host.call(describe_pollers(host.client, name))
        mine = sorted(
            (w for w in workers if w.record.task_queue == name),
            key=lambda w: (w.status not in _LIVE, w.worker_id),
        )
        check = check_pollers(
            pollers,
            live=(w.identity for w in mine if w.status in _LIVE),
            stopped={
                w.identity: w.record.stopped_at
                for w in mine
                if w.status not in _LIVE and w.record.stopped_at is not None
            },
            now=utc_now(),
        )
        try:
            row = self._database.task_queues.get(name)
            strategy, pool_size = row.strategy, row.pool_size
        except RecordNotFoundError:
            strategy, pool_size = QueueStrategy.PER_WORKFLOW, 1
        stepping = tuple(step_deployments(self._database, name))
        return QueueView(
            name=name,
            strategy=strategy,
            pool_size=pool_size,
            workers=tuple(mine),
            pollers=tuple(pollers),
            unregistered_pollers=check.unregistered,
            stopped_pollers=check.left_behind,
            running_here=name in self._manager.queues(),
            step_deployments=stepping,
            activity_only=bool(stepping) and not served_deployments(self._database, name),
            standalone_only=name in self._manager.standalone_queues,
        )


def _view(record: WorkerRecord, now: datetime) -> WorkerView:
    seen = record.last_heartbeat or record.started_at
    return WorkerView(
        record=record,
        heartbeat_age_seconds=((now - seen).total_seconds() if record.status in _LIVE else None),
        identity=record.worker_id,
    )
