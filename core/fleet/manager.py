"""The worker manager: workers per task queue, their registry rows, heartbeats, restarts."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.activities import ActivityRegistry, load_registry
from core.activities.spec import activity_name
from core.config import Settings
from core.db import (
    Capability,
    Database,
    DuplicateRecordError,
    InvalidTransitionError,
    QueueStrategy,
    RecordNotFoundError,
    WorkerNotLiveError,
    WorkerRecord,
    WorkerStatus,
)
from core.db.repositories.task_queues import MAX_POOL_SIZE
from core.errors import WorkflowBuilderError
from core.fleet.code import QueueCode, load_queue_code
from core.fleet.errors import (
    FleetConfigError,
    NothingToServeError,
    QueueStateError,
    WorkerStartError,
)
from core.fleet.outage import Outage, error_summary
from core.fleet.pollers import Poller, describe_pollers
from core.fleet.resources import ProcessSampler
from core.outages import DATABASE_UNAVAILABLE
from core.runtime import BundleStore, HostedWorker, WorkerHost
from core.secrets import StoredSecrets

logger = logging.getLogger(__name__)

W = WorkerStatus

_LIFE_CYCLE = (W.STARTING, W.RUNNING, W.STOPPING, W.STOPPED)
#: A worker's heartbeat older than this many intervals makes it lost.
LOST_AFTER_INTERVALS = 3


@dataclass(frozen=True)
class RestartPolicy:
    """How crashed workers are restarted.

    Attributes:
        max_restarts: restarts in a row before a worker is left failed.
        first_delay: seconds before the first restart; each next one waits twice as long.
        max_delay: the longest wait between restarts.
        healthy_after: seconds of running after which the count of restarts starts again.
    """

    max_restarts: int = 5
    first_delay: float = 1.0
    max_delay: float = 30.0
    healthy_after: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before restart number ``attempt`` (1-based)."""
        return min(self.max_delay, self.first_delay * 2 ** (attempt - 1))


@dataclass
class _Slot:
    # One worker of a queue: slot n runs on host n (the SDK allows one worker per queue and
    # client, so the workers of a pool need a client each).
    index: int
    worker_id: str
    hosted: HostedWorker | None = None
    running_since: float | None = None
    crashes: int = 0
    restart_at: float | None = None


@dataclass
class _Queue:
    name: str
    code: QueueCode
    slots: dict[int, _Slot] = field(default_factory=dict)


class WorkerManager:
    """Runs, records and supervises this process's workers, one set per task queue.

    Every worker is a row in ``workflow_workers`` (id ``<host>-<pid>-<queue>-<n>``) moving
    starting -> running (once Temporal reports it polling with its code) -> stopping ->
    stopped, or failed with the error kept. A background thread heartbeats every
    ``settings.worker_heartbeat_seconds`` and fails workers of any process that stopped
    heartbeating; another restarts crashed workers with exponential backoff.

    Methods are synchronous and safe to call from any thread; operations run one at a time.

    Args:
        settings: Temporal address (must be set), deploy folder, heartbeat interval.
        database: the registry and deployments.
        registry: activities graphs may call (for rebuilding bundles); loaded from
            ``settings.activity_modules`` when omitted.
        restart_policy: how crashed workers are restarted.
        graceful_shutdown: how long a stopping worker lets running activities finish.
        poll_confirm_timeout: seconds to wait for Temporal to report a new worker polling.
        standalone_queues: queues this process runs no worker for, leaving them to standalone
            workers (the app passes ``WB_STANDALONE_QUEUES``; a standalone worker, told which
            queue to serve, passes none).
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        registry: ActivityRegistry | None = None,
        restart_policy: RestartPolicy = RestartPolicy(),
        graceful_shutdown: timedelta = timedelta(seconds=10),
        poll_confirm_timeout: float = 10.0,
        standalone_queues: Collection[str] = (),
    ) -> None:
        if settings.temporal_address is None:
            raise FleetConfigError(
                "no Temporal address: set TEMPORAL_ADDRESS, or pass the settings returned "
                "by ensure_temporal(settings)"
            )
        self._settings = settings
        self._database = database
        self._registry = registry
        self._store = BundleStore(settings.deploy_dir)
        self._secrets = StoredSecrets(settings, database)
        self._policy = restart_policy
        self._graceful_shutdown = graceful_shutdown
        self._poll_confirm_timeout = poll_confirm_timeout
        self._standalone_queues = frozenset(standalone_queues)
        self._host_name = socket.gethostname()
        self._pid = os.getpid()
        self._queues: dict[str, _Queue] = {}
        # Operations (start, stop, apply, restart) run one at a time; heartbeats never wait
        # for them, or a slow start would let other processes mark this one lost.
        self._ops = threading.RLock()
        # Held only for a slot's liveness and its row together: a crash being recorded and a
        # heartbeat of the same worker must not interleave (the heartbeat would revive the row
        # of a worker that just crashed).
        self._liveness = threading.Lock()
        # Guards the shape of ``_queues`` and of each queue's ``slots``: operations change them
        # under ``_ops``, which the heartbeat thread never takes, so both sides take this one
        # too (iterating a dict another thread resizes raises, and ended heartbeats for good).
        self._slots_lock = threading.Lock()
        self._closed = threading.Event()
        self._hosts: list[WorkerHost] = [self._new_host()]
        self._threads = [
            threading.Thread(target=self._heartbeat_loop, name="fleet-heartbeat", daemon=True),
            threading.Thread(target=self._supervise_loop, name="fleet-supervisor", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # ---- public API ---------------------------------------------------------------------

    @property
    def host(self) -> WorkerHost:
        """The first worker host; its ``call()`` and client serve Temporal queries too."""
        return self._hosts[0]

    def host_serving(self, task_queue: str) -> WorkerHost | None:
        """A host of this process running a worker on ``task_queue``, for eager starts."""
        # Not under ``_ops``: a run start must not wait out a slow deploy. Hosts are only ever
        # appended, and copying the list is atomic, so the copy is a consistent snapshot.
        hosts = list(self._hosts)
        return next((h for h in hosts if h.serving_client(task_queue) is not None), None)

    @property
    def heartbeat_interval(self) -> float:
        """Seconds between heartbeats."""
        return self._settings.worker_heartbeat_seconds

    @property
    def lost_after(self) -> timedelta:
        """How old a heartbeat may get before its worker counts as lost."""
        return timedelta(seconds=LOST_AFTER_INTERVALS * self.heartbeat_interval)

    @property
    def standalone_queues(self) -> frozenset[str]:
        """The queues this process leaves to standalone workers."""
        return self._standalone_queues

    def queues(self) -> tuple[str, ...]:
        """The task queues this process runs workers for, sorted."""
        with self._slots_lock:
            return tuple(sorted(self._queues))

    def worker_ids(self, task_queue: str) -> tuple[str, ...]:
        """Registry ids of this process's workers on ``task_queue`` (empty if none)."""
        with self._slots_lock:
            queue = self._queues.get(task_queue)
            return tuple(s.worker_id for _, s in sorted(queue.slots.items())) if queue else ()

    def start_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Start the worker(s) of ``task_queue`` with the code of its deployments, and the
        activities of deployments whose steps run there.

        Returns:
            The registry rows of the started workers.

        Raises:
            QueueStateError: workers already run for the queue here, or it is left to
                standalone workers.
            NothingToServeError: the queue has no pending, active or draining deployment.
            DeploymentCodeError: a deployment's code cannot be loaded.
            WorkerStartError: a worker did not start polling (its row is left failed).
        """
        with self._ops:
            self._check_open()
            if task_queue in self._queues:
                raise QueueStateError("workers already run for it here", task_queue=task_queue)
            if task_queue in self._standalone_queues:
                raise QueueStateError(
                    "WB_STANDALONE_QUEUES leaves it to standalone workers (python -m core worker "
                    f"--task-queue {task_queue}); this process runs none for it",
                    task_queue=task_queue,
                )
            code = self._load_code(task_queue)
            if code.empty:
                raise NothingToServeError(task_queue)
            return self._start(code)

    def stop_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Drain and stop the worker(s) of ``task_queue``; their rows end stopped.

        Raises:
            QueueStateError: no worker runs for the queue here.
        """
        with self._ops:
            with self._slots_lock:
                queue = self._queues.pop(task_queue, None)
            if queue is None:
                raise QueueStateError("no worker runs for it here", task_queue=task_queue)
            return [self._stop_slot(queue, slot) for slot in self._slots_of(queue)]

    def restart_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Stop the queue's workers (if running) and start them again with fresh code.

        Raises:
            As :meth:`start_queue`.
        """
        with self._ops:
            if task_queue in self._queues:
                self.stop_queue(task_queue)
            return self.start_queue(task_queue)

    def apply_queue(self, task_queue: str) -> list[WorkerRecord]:
        """Make the queue's workers here run exactly the code of its current deployments, and
        the activities of the current deployments whose steps run there.

        The deploy calls this after recording a pending deployment (and again after marking a
        failed one, to restore the previous set). New workers start before old ones drain, so
        the queue keeps a poller; a queue left with nothing to serve has its workers stopped.
        A queue left to standalone workers gets none here.

        Returns:
            The registry rows of the queue's workers (empty when it has nothing to serve, or
            is left to standalone workers).

        Raises:
            DeploymentCodeError: a deployment's code cannot be loaded; workers are untouched.
            WorkerStartError: a worker did not start polling with the new code.
        """
        with self._ops:
            self._check_open()
            if task_queue in self._standalone_queues:
                return []
            code = self._load_code(task_queue)
            queue = self._queues.get(task_queue)
            if code.empty:
                if queue is not None:
                    logger.info("task queue %s has nothing to serve: stopping", task_queue)
                    self.stop_queue(task_queue)
                return []
            if queue is None:
                return self._start(code)
            queue.code = code
            records = []
            for index in range(self.pool_size(task_queue)):
                slot = queue.slots.get(index)
                if slot is None or slot.hosted is None:
                    records.append(self._start_slot(queue, index))
                else:
                    records.append(self._replace_slot(queue, slot))
            keep = self.pool_size(task_queue)
            for slot in self._slots_of(queue):
                if slot.index >= keep:
                    self._stop_slot(queue, slot)
            return records

    def scale(self, task_queue: str, size: int) -> list[WorkerRecord]:
        """Run ``size`` workers sharing ``task_queue`` in each process (the pool strategy).

        The size is stored on the queue's row (strategy ``pool``), so it holds after a restart
        and for standalone workers on other machines, which read it when they next apply the
        queue's code. Runs the extra workers now, or drains the surplus, when the queue is
        running here.

        Raises:
            FleetConfigError: ``size`` is not between 1 and ``MAX_POOL_SIZE``.
            WorkerStartError: an extra worker did not start.
        """
        if not 1 <= size <= MAX_POOL_SIZE:
            raise FleetConfigError(
                f"pool size {size} is out of range: 1 to {MAX_POOL_SIZE} workers per process",
                task_queue=task_queue,
            )
        with self._ops:
            self._database.task_queues.configure(
                task_queue, strategy=QueueStrategy.POOL, pool_size=size
            )
            if task_queue not in self._queues:
                return []
            return self.apply_queue(task_queue)

    def close(self) -> None:
        """Stop every worker (rows end stopped), the background threads and the hosts."""
        with self._ops:
            if self._closed.is_set():
                return
            self._closed.set()
            for name in self.queues():
                try:
                    self.stop_queue(name)
                except WorkflowBuilderError:
                    logger.exception("workers of %s did not stop cleanly", name)
        for thread in self._threads:
            thread.join(10)
        for host in self._hosts:
            host.close()

    def __enter__(self) -> WorkerManager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- starting and stopping ----------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed.is_set():
            raise QueueStateError("the worker manager is closed")

    def _load_code(self, task_queue: str) -> QueueCode:
        if self._registry is None:
            self._registry = load_registry(self._settings.activity_modules)
        return load_queue_code(
            self._database, task_queue=task_queue, store=self._store, registry=self._registry
        )

    def pool_size(self, task_queue: str) -> int:
        """How many workers this process runs for ``task_queue``: its pool size, else 1."""
        try:
            record = self._database.task_queues.get(task_queue)
        except RecordNotFoundError:
            return 1  # unknown queues follow the default strategy, one worker per queue
        return record.pool_size if record.strategy is QueueStrategy.POOL else 1

    def _start(self, code: QueueCode) -> list[WorkerRecord]:
        queue = _Queue(name=code.task_queue, code=code)
        with self._slots_lock:
            self._queues[queue.name] = queue
        try:
            return [self._start_slot(queue, n) for n in range(self.pool_size(queue.name))]
        except WorkflowBuilderError:
            # All or nothing: a queue half started would look healthy in the list.
            with self._slots_lock:
                self._queues.pop(queue.name, None)
            for slot in self._slots_of(queue):
                if slot.hosted is not None:
                    self._stop_slot(queue, slot)
            raise

    def _worker_id(self, task_queue: str, index: int) -> str:
        return f"{self._host_name}-{self._pid}-{task_queue}-{index}"

    def _host_for(self, index: int) -> WorkerHost:
        while len(self._hosts) <= index:
            self._hosts.append(self._new_host())
        return self._hosts[index]

    def _new_host(self) -> WorkerHost:
        return WorkerHost(
            self._settings, graceful_shutdown=self._graceful_shutdown, secrets=self._secrets
        )

    def _start_slot(self, queue: _Queue, index: int) -> WorkerRecord:
        with self._slots_lock:
            slot = queue.slots.get(index)
            if slot is None:
                slot = queue.slots[index] = _Slot(
                    index=index, worker_id=self._worker_id(queue.name, index)
                )
        code = queue.code
        self._register(slot.worker_id, code)
        try:
            earlier = self._last_polls(queue.name, slot)
            slot.hosted = self._host_for(index).add_worker(
                queue.name, code.bundles, steps=code.steps, identity=slot.worker_id
            )
            self._confirm_polling(queue.name, slot, earlier)
        except WorkflowBuilderError as exc:
            self._discard(index, queue.name)
            with self._liveness:
                slot.hosted = None
                self._set_status(slot.worker_id, W.FAILED, error=str(exc))
            raise WorkerStartError(
                str(exc), task_queue=queue.name, worker_id=slot.worker_id
            ) from exc
        slot.running_since = time.monotonic()
        slot.restart_at = None
        return self._set_status(slot.worker_id, W.RUNNING)

    def _replace_slot(self, queue: _Queue, slot: _Slot) -> WorkerRecord:
        code = queue.code
        try:
            earlier = self._last_polls(queue.name, slot)
            previous = slot.hosted
            slot.hosted = self._host_for(slot.index).replace_worker(
                queue.name, code.bundles, steps=code.steps, identity=slot.worker_id
            )
            if previous is None or slot.hosted.build_id != previous.build_id:
                self._confirm_polling(queue.name, slot, earlier)
        except WorkflowBuilderError as exc:
            # replace_worker keeps the old worker when the new one is rejected.
            raise WorkerStartError(
                str(exc), task_queue=queue.name, worker_id=slot.worker_id
            ) from exc
        self._database.workers.set_capabilities(slot.worker_id, _capabilities(code))
        logger.info(
            "worker %s now runs %s",
            slot.worker_id,
            ", ".join(slot.hosted.workflow_types or slot.hosted.activity_names),
            extra={"worker_id": slot.worker_id},
        )
        return self._database.workers.get(slot.worker_id)

    def _stop_slot(self, queue: _Queue, slot: _Slot) -> WorkerRecord:
        with self._slots_lock:
            queue.slots.pop(slot.index, None)
        with self._liveness:  # no heartbeat may revive the row once stopping has begun
            hosted, slot.hosted = slot.hosted, None
        if hosted is None:  # crashed and waiting for a restart: its row is already failed
            return self._database.workers.get(slot.worker_id)
        self._set_status(slot.worker_id, W.STOPPING)
        try:
            self._host_for(slot.index).remove_worker(queue.name)
        except WorkflowBuilderError as exc:
            return self._set_status(slot.worker_id, W.FAILED, error=f"did not stop: {exc}")
        return self._set_status(slot.worker_id, W.STOPPED)

    def _discard(self, index: int, task_queue: str) -> None:
        # Drop whatever the host still holds for the queue (a crashed or half-started worker).
        host = self._host_for(index)
        if any(w.task_queue == task_queue for w in host.workers()):
            try:
                host.remove_worker(task_queue)
            except WorkflowBuilderError:
                logger.exception("could not remove the worker of %s", task_queue)

    def _last_polls(self, task_queue: str, slot: _Slot) -> dict[str, datetime | None]:
        # Temporal keeps a poller entry per identity for minutes after its worker stopped, so
        # a new worker counts as polling only once its entry is newer than the one seen now.
        host = self._host_for(slot.index)
        pollers = host.call(describe_pollers(host.client, task_queue))
        return {p.kind: p.last_access_time for p in pollers if p.identity == slot.worker_id}

    def _confirm_polling(
        self, task_queue: str, slot: _Slot, earlier: dict[str, datetime | None]
    ) -> None:
        # One entry per identity and task type, carrying the build id of its latest poll:
        # ours, newer than before, on each type it serves means the new code is polling. A
        # worker without activities never polls for activity tasks, nor one without workflows
        # (a queue only steps use) for workflow tasks.
        assert slot.hosted is not None
        build_id = slot.hosted.build_id
        expected = {"workflow"} if slot.hosted.workflow_types else set()
        if slot.hosted.activity_names:
            expected.add("activity")
        host = self._host_for(slot.index)
        deadline = time.monotonic() + self._poll_confirm_timeout
        while True:
            if task_queue in host.failed_workers():
                raise WorkerStartError(
                    f"it stopped right away: {host.failed_workers()[task_queue]}",
                    task_queue=task_queue,
                    worker_id=slot.worker_id,
                )
            pollers = host.call(describe_pollers(host.client, task_queue))
            kinds = {p.kind for p in pollers if _is_new_poll(p, slot.worker_id, build_id, earlier)}
            if kinds >= expected:
                return
            if time.monotonic() > deadline:
                raise WorkerStartError(
                    f"Temporal saw no poll with build {build_id} from {slot.worker_id} within "
                    f"{self._poll_confirm_timeout:g} s",
                    task_queue=task_queue,
                    worker_id=slot.worker_id,
                )
            time.sleep(0.02)

    # ---- registry -----------------------------------------------------------------------

    def _register(self, worker_id: str, code: QueueCode) -> WorkerRecord:
        def register() -> WorkerRecord:
            return self._database.workers.register(
                worker_id=worker_id,
                task_queue=code.task_queue,
                host=self._host_name,
                pid=self._pid,
                metadata={
                    "packages": sorted(
                        {b.package for b in code.bundles} | {s.bundle.package for s in code.steps}
                    ),
                },
                capabilities=_capabilities(code),
            )

        try:
            return register()
        except DuplicateRecordError:
            # Only this slot may use this id, and it runs no worker now: the live row is stale,
            # left by an earlier process with the same host name and pid (a restarted container
            # gets the same ones) or by a crash here that the database missed during an outage.
            logger.warning(
                "worker %s was still recorded live; recording that instance as ended",
                worker_id,
                extra={"worker_id": worker_id},
            )
            self._database.workers.set_status(
                worker_id, W.FAILED, error="ended: its process restarted or crashed unrecorded"
            )
            return register()

    def _set_status(
        self, worker_id: str, status: WorkerStatus, *, error: str | None = None
    ) -> WorkerRecord:
        try:
            return self._database.workers.set_status(worker_id, status, error=error)
        except InvalidTransitionError:
            # Another process marked it lost while this one was busy (a long pause).
            return self._revive(worker_id, status)

    def _revive(self, worker_id: str, status: WorkerStatus) -> WorkerRecord:
        # Walk a failed row through the life cycle to what is true now, so it reads correctly.
        logger.warning(
            "worker %s was marked failed meanwhile; recording it as %s", worker_id, status
        )
        path = _LIFE_CYCLE[: _LIFE_CYCLE.index(status) + 1]
        record = self._database.workers.get(worker_id)
        for step in path:
            record = self._database.workers.set_status(worker_id, step)
        return record

    # ---- background threads -------------------------------------------------------------

    def _slots_of(self, queue: _Queue) -> list[_Slot]:
        """The queue's slots by index, copied under the lock (safe from any thread)."""
        with self._slots_lock:
            return [slot for _, slot in sorted(queue.slots.items())]

    def _all_slots(self) -> list[_Slot]:
        """Every slot of every queue, copied under the lock (safe from any thread)."""
        with self._slots_lock:
            return [slot for queue in self._queues.values() for slot in queue.slots.values()]

    def _heartbeat_loop(self) -> None:
        sampler = ProcessSampler()
        outage = Outage("heartbeats and lost-worker checks")
        while not self._closed.wait(self.heartbeat_interval):
            try:
                self._heartbeat(sampler.sample().as_metadata())
                outage.recovered()
                back = outage.back_for()
                # After an outage every process needs a full period to heartbeat again: until
                # then, an old heartbeat says nothing about its worker.
                if back is None or back >= self.lost_after.total_seconds():
                    self._mark_lost()
            except DATABASE_UNAVAILABLE as error:
                outage.failed(error)  # the next round is due after the interval anyway
            except Exception:  # anything else must not end heartbeats for good either
                logger.exception("heartbeat round failed")

    def _heartbeat(self, resources: dict[str, float | int]) -> None:
        for slot in self._all_slots():
            with self._liveness:
                if slot.hosted is None:  # crashed or stopped since the list was taken
                    continue
                try:
                    self._database.workers.heartbeat(slot.worker_id, resources=resources)
                except WorkerNotLiveError:
                    self._revive(slot.worker_id, W.RUNNING)
                except WorkflowBuilderError:  # this row's trouble; the others still beat
                    logger.exception(
                        "heartbeat of %s failed",
                        slot.worker_id,
                        extra={"worker_id": slot.worker_id},
                    )

    def _mark_lost(self) -> None:
        for lost in self._database.workers.mark_lost(older_than=self.lost_after):
            logger.warning(
                "worker %s is lost: %s",
                lost.worker_id,
                lost.error,
                extra={"worker_id": lost.worker_id},
            )

    def _supervise_loop(self) -> None:
        while not self._closed.wait(min(0.5, self.heartbeat_interval)):
            try:
                with self._ops:
                    if not self._closed.is_set():
                        self._supervise()
            except Exception:
                logger.exception("worker supervision failed")

    def _supervise(self) -> None:
        now = time.monotonic()
        with self._slots_lock:
            queues = list(self._queues.values())
        for queue in queues:
            for slot in self._slots_of(queue):
                if slot.hosted is not None:
                    self._check_crash(queue, slot, now)
                elif slot.restart_at is not None and now >= slot.restart_at:
                    self._restart(queue, slot)

    def _check_crash(self, queue: _Queue, slot: _Slot, now: float) -> None:
        host = self._host_for(slot.index)
        why = host.failed_workers().get(queue.name)
        if why is None:
            if slot.running_since and now - slot.running_since > self._policy.healthy_after:
                slot.crashes = 0
            return
        self._discard(slot.index, queue.name)
        slot.crashes += 1
        if slot.crashes > self._policy.max_restarts:
            error = f"crashed {slot.crashes} times in a row, giving up: {why}"
            slot.restart_at = None
        else:
            delay = self._policy.delay(slot.crashes)
            error = f"crashed: {why}; restart {slot.crashes} in {delay:g} s"
            slot.restart_at = now + delay
        logger.error("worker %s %s", slot.worker_id, error, extra={"worker_id": slot.worker_id})
        with self._liveness:
            slot.hosted = None
            self._set_status(slot.worker_id, W.FAILED, error=error)

    def _restart(self, queue: _Queue, slot: _Slot) -> None:
        slot.restart_at = None
        try:
            self._start_slot(queue, slot.index)
        except DATABASE_UNAVAILABLE as exc:
            # Not the worker's fault: try again later, without counting it as a crash (an
            # outage longer than the restarts would otherwise leave the worker down for good).
            self._discard(slot.index, queue.name)
            with self._liveness:
                slot.hosted = None
            slot.restart_at = time.monotonic() + self._policy.max_delay
            logger.warning(
                "restart of worker %s waits for the database (%s); next try in %g s",
                slot.worker_id,
                error_summary(exc),
                self._policy.max_delay,
                extra={"worker_id": slot.worker_id},
            )
        except WorkflowBuilderError as exc:
            slot.crashes += 1
            if slot.crashes <= self._policy.max_restarts:
                slot.restart_at = time.monotonic() + self._policy.delay(slot.crashes)
            logger.error(
                "restart of worker %s failed: %s",
                slot.worker_id,
                exc,
                extra={"worker_id": slot.worker_id},
            )
        else:
            logger.info("worker %s restarted", slot.worker_id, extra={"worker_id": slot.worker_id})


def _capabilities(code: QueueCode) -> list[Capability]:
    # A step's activities count without their workflow type: it runs on another queue.
    found: list[Capability] = []
    for bundle in code.bundles:
        found.append(Capability(bundle.workflow_type))
        found.extend(
            Capability(bundle.workflow_type, activity_name(fn) or "") for fn in bundle.activities
        )
    for step in code.steps:
        found.extend(Capability(step.bundle.workflow_type, name) for name in step.names)
    return found


def _is_new_poll(
    poller: Poller, identity: str, build_id: str, earlier: dict[str, datetime | None]
) -> bool:
    """A poll by this worker (its identity is its registry id) with this code, newer than before."""
    if poller.identity != identity or poller.build_id != build_id:
        return False
    before = earlier.get(poller.kind)
    return before is None or (
        poller.last_access_time is not None and poller.last_access_time > before
    )
