"""The worker host: one thread with its own loop and client, running a Worker per task queue."""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar

from temporalio.client import Client
from temporalio.worker import Worker

from core.activities.spec import activity_name
from core.config import Settings
from core.errors import WorkflowBuilderError
from core.runtime.activity_calls import ServedActivities
from core.runtime.loader import LoadedBundle, StepActivities
from core.runtime.sandbox import passthrough_sandbox
from core.secrets.interceptor import SecretsInterceptor
from core.secrets.markers import SecretLookup
from core.temporal import connect
from core.temporal.gateway import GatewayClosedError, TemporalGateway

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Sync plugin activities run on these threads; async ones run on the host's loop.
_ACTIVITY_THREADS = 16


class WorkerHostError(WorkflowBuilderError):
    """A worker cannot be added, replaced or removed.

    Attributes:
        task_queue: the task queue of the worker at fault (None for the host itself).
        reason: what went wrong.
    """

    def __init__(self, reason: str, *, task_queue: str | None = None) -> None:
        self.task_queue = task_queue
        self.reason = reason
        super().__init__(f"worker on task queue {task_queue!r}: {reason}" if task_queue else reason)


@dataclass(frozen=True)
class HostedWorker:
    """What one hosted worker serves (what the worker fleet records as its capabilities).

    Attributes:
        task_queue: the task queue it polls.
        workflow_types: the workflow types it runs, sorted.
        activity_names: the activity types it runs, sorted.
        build_id: the build id it polls with (Temporal reports it per poller), naming the code.
    """

    task_queue: str
    workflow_types: tuple[str, ...]
    activity_names: tuple[str, ...]
    build_id: str = ""


@dataclass
class _Running:
    worker: Worker
    run: concurrent.futures.Future[None]
    info: HostedWorker
    build_id: str
    client: Client


class WorkerHost:
    """Runs Temporal workers for loaded bundles on a daemon thread with its own event loop.

    The loop runs forever (not until a worker's ``run()`` returns), so ``shutdown()`` coroutines
    sent to it always finish. A Temporal client belongs to one loop; the host connects its own.
    Call :meth:`close` (or use the host as a context manager) before the interpreter exits:
    Temporal's native threads crash a finalising interpreter.

    Args:
        settings: where Temporal is (``temporal_address`` must be set; see ``ensure_temporal``).
        graceful_shutdown: how long a stopping worker lets running activities finish before
            cancelling them.
        call_timeout: default seconds to wait for work sent to the host's loop.
        secrets: gives the value of a secret an activity call names (``core.secrets``); None
            fails every step that uses a secret, naming it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        graceful_shutdown: timedelta = timedelta(seconds=10),
        call_timeout: float = 60.0,
        secrets: SecretLookup | None = None,
    ) -> None:
        self._settings = settings
        self._secrets = secrets
        self._graceful_shutdown = graceful_shutdown
        self._workers: dict[str, _Running] = {}
        self._lock = threading.RLock()
        self._executor = ThreadPoolExecutor(_ACTIVITY_THREADS, thread_name_prefix="activity")
        # The gateway's loop runs forever (not until a worker's run() returns), so shutdown()
        # coroutines sent to it always finish; its client is the host's client.
        try:
            self._gateway = TemporalGateway(settings, call_timeout=call_timeout)
        except BaseException:
            self._executor.shutdown(wait=False)
            raise

    @property
    def client(self) -> Client:
        """The host's client; use it only through :meth:`call` (it belongs to the host's loop)."""
        try:
            return self._gateway.client
        except GatewayClosedError:
            raise WorkerHostError("the worker host is closed") from None

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the host's loop from any other thread and return its result.

        Raises:
            TimeoutError: it did not finish within ``timeout`` seconds (it is then cancelled).
        """
        return self._gateway.call(coro, timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start a coroutine on the host's loop; its future, to wait on or cancel."""
        return self._gateway.submit(coro)

    def add_worker(
        self,
        task_queue: str,
        bundles: Sequence[LoadedBundle],
        *,
        steps: Sequence[StepActivities] = (),
        identity: str | None = None,
    ) -> HostedWorker:
        """Start a worker on ``task_queue`` running the workflows and activities of ``bundles``,
        and the activities only of ``steps`` (bundles whose steps run on this queue).

        Activities are deduplicated by name: bundles carry their own copies of the built-ins,
        and the first copy serves them all (the bundles' in order, then the steps'), unless
        the copies pass arguments differently (``core.runtime.activity_calls``). ``identity``
        is what Temporal shows as the worker's poller identity (default: the client's,
        ``<pid>@<host>``).

        Raises:
            WorkerHostError: a worker already polls that queue here, two bundles define one
                workflow type, or Temporal rejects the worker (sandbox validation fails).
        """
        with self._lock:
            if task_queue in self._workers:
                raise WorkerHostError("a worker is already running here", task_queue=task_queue)
            self._workers[task_queue] = self._start(task_queue, bundles, steps, identity=identity)
            return self._workers[task_queue].info

    def replace_worker(
        self,
        task_queue: str,
        bundles: Sequence[LoadedBundle],
        *,
        steps: Sequence[StepActivities] = (),
        identity: str | None = None,
    ) -> HostedWorker:
        """Swap the worker on ``task_queue`` for one running ``bundles`` and ``steps`` (or add
        it if missing).

        The new worker is validated and started before the old one drains, so the queue is
        never left without a poller; if the new one fails, the old one keeps running. Asking
        for the bundles the worker already runs changes nothing.

        Raises:
            WorkerHostError: as for :meth:`add_worker`; the old worker is then untouched.
        """
        with self._lock:
            old = self._workers.get(task_queue)
            if old is not None and old.build_id == _build_id(bundles, steps):
                return old.info
            self._workers[task_queue] = self._start(
                task_queue, bundles, steps, replacing=old, identity=identity
            )
        if old is not None:
            self._stop(old)
        return self._workers[task_queue].info

    def remove_worker(self, task_queue: str) -> None:
        """Stop the worker on ``task_queue``, letting running activities finish first.

        Raises:
            WorkerHostError: no worker polls that queue here.
        """
        with self._lock:
            running = self._workers.pop(task_queue, None)
        if running is None:
            raise WorkerHostError("no worker is running here", task_queue=task_queue)
        self._stop(running)

    def serving_client(self, task_queue: str) -> Client | None:
        """The client of the running worker on ``task_queue`` here; None when none runs.

        temporalio hands an eagerly started run's first workflow task only to a worker of the
        client that started it, so a starter that wants eager start starts through this
        client, on the host's loop (:meth:`call`).
        """
        with self._lock:
            running = self._workers.get(task_queue)
            return None if running is None or running.run.done() else running.client

    def workers(self) -> tuple[HostedWorker, ...]:
        """What each running worker serves, by task queue."""
        with self._lock:
            return tuple(self._workers[q].info for q in sorted(self._workers))

    def failed_workers(self) -> dict[str, str]:
        """Workers that stopped on their own (a fatal poll error), by task queue, with why."""
        with self._lock:
            done = {q: r.run for q, r in self._workers.items() if r.run.done()}
        return {
            queue: repr(run.exception()) if run.exception() else "stopped without an error"
            for queue, run in done.items()
        }

    def close(self) -> None:
        """Stop every worker gracefully, drop the client and stop the host's thread."""
        with self._lock:
            running = list(self._workers.values())
            self._workers.clear()
        for item in running:
            try:
                self._stop(item)
            except Exception:  # one stuck worker must not keep the others or the loop alive
                logger.exception("worker on %s did not stop cleanly", item.info.task_queue)
        self._gateway.close()  # idempotent, like the executor's shutdown
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> WorkerHost:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _start(
        self,
        task_queue: str,
        bundles: Sequence[LoadedBundle],
        steps: Sequence[StepActivities],
        *,
        replacing: _Running | None = None,
        identity: str | None = None,
    ) -> _Running:
        workflows = _workflow_classes(task_queue, bundles)
        served = ServedActivities(
            [(bundle, bundle.activities) for bundle in bundles]
            + [(step.bundle, step.activities) for step in steps]
        )
        activities = list(served.functions)
        build_id = _build_id(bundles, steps)

        async def make() -> Worker:
            # Worker() validates every workflow in the sandbox; it must run on the host loop.
            return Worker(
                client,
                task_queue=task_queue,
                workflows=workflows,
                activities=activities,
                activity_executor=self._executor,
                graceful_shutdown_timeout=self._graceful_shutdown,
                # Names the code this worker runs, and spares the SDK from hashing the bytecode
                # of every loaded module to make one up.
                build_id=build_id,
                identity=identity,
                interceptors=[SecretsInterceptor(self._secrets, callee=served.callee)],
                workflow_runner=passthrough_sandbox(f"{b.package}.workflow" for b in bundles),
            )

        client = self.client
        if replacing is not None and replacing.client is client:
            # The SDK allows one worker per queue and client; the old one drains meanwhile.
            client = self.call(connect(self._settings))
        try:
            worker = self.call(make())
        except WorkflowBuilderError:
            raise
        except Exception as exc:  # the SDK raises plain RuntimeError/TypeError/ValueError
            raise WorkerHostError(
                f"Temporal rejected the worker: {exc}", task_queue=task_queue
            ) from exc
        run = self._gateway.submit(worker.run())
        info = HostedWorker(
            task_queue=task_queue,
            workflow_types=tuple(sorted(b.workflow_type for b in bundles)),
            activity_names=tuple(sorted(activity_name(fn) or "" for fn in activities)),
            build_id=build_id,
        )
        logger.info(
            "worker on %s started: workflows %s, activities %s",
            task_queue,
            ", ".join(info.workflow_types),
            ", ".join(info.activity_names),
        )
        return _Running(worker=worker, run=run, info=info, build_id=build_id, client=client)

    def _stop(self, running: _Running) -> None:
        queue = running.info.task_queue
        # Graceful: activities get `graceful_shutdown` to finish, plus time to report back.
        limit = self._graceful_shutdown.total_seconds() + 30
        if not running.run.done():
            self.call(running.worker.shutdown(), timeout=limit)
        try:
            running.run.result(limit)
        except Exception as exc:  # run() ends with the worker's fatal error, if it had one
            logger.error("worker on %s had stopped with an error: %s", queue, exc)
        logger.info("worker on %s stopped", queue)


def _workflow_classes(task_queue: str, bundles: Sequence[LoadedBundle]) -> list[type]:
    seen: dict[str, LoadedBundle] = {}
    for bundle in bundles:
        other = seen.setdefault(bundle.workflow_type, bundle)
        if other is not bundle and other.workflow_class is not bundle.workflow_class:
            raise WorkerHostError(
                f"bundles {other.package} and {bundle.package} both define workflow type "
                f"{bundle.workflow_type!r}",
                task_queue=task_queue,
            )
    return [b.workflow_class for b in seen.values()]


def _build_id(bundles: Sequence[LoadedBundle], steps: Sequence[StepActivities]) -> str:
    # Package names carry the bundle digests, so they identify the exact code; a bundle whose
    # activities alone run here counts with their names.
    parts = {b.package for b in bundles} | {
        f"{s.bundle.package}:{','.join(s.names)}" for s in steps
    }
    return "wb-" + hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]
