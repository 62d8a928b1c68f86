"""A standalone worker process: serve one task queue's deployments (and the steps of others
that run there) until SIGTERM or Ctrl-C.

Run it as ``python -m core.fleet --task-queue Q`` (or through ``python -m core
worker --task-queue Q``). It uses the same ``DATABASE_URL`` and ``TEMPORAL_ADDRESS`` as the app.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from core.activities import load_registry
from core.alerts import start_alerts
from core.config import Settings
from core.db import Database
from core.errors import WorkflowBuilderError
from core.fleet.code import served_deployments, step_deployments
from core.fleet.manager import WorkerManager
from core.fleet.outage import Outage
from core.metrics import serve_metrics
from core.outages import DATABASE_UNAVAILABLE
from core.runs import MonitorSettings, RunMonitor, RunTracer
from core.runtime import BundleStore
from core.signals import stop_on_signals
from core.temporal import TemporalConnectionError

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds between looks at the database for changed deployments of the queue.
RELOAD_SECONDS = 2.0
#: Longest wait before trying again a change that could not be applied.
RETRY_MAX_SECONDS = 60.0


def run_standalone_worker(
    settings: Settings,
    *,
    task_queue: str,
    stop_event: threading.Event | None = None,
    reload_seconds: float = RELOAD_SECONDS,
) -> int:
    """Serve ``task_queue`` from this process until stopped, following its deployments.

    Registers its worker in the database, loads the queue's pending, active and draining
    deployments, and the activities of those whose steps run on the queue (a queue only steps
    name gets an activity-only worker), applies changed deployments and pool sizes without a
    restart, heartbeats,
    and on stop drains (running activities finish) and records itself stopped. A queue with
    nothing to serve yet gets its worker as soon as a deployment appears. It outlives
    outages: at start it waits for the database and Temporal; later, while the database is
    away, its workers keep serving the code they loaded, and heartbeats and deployment updates
    resume when it is back (the log says what waits, and for how long).

    Args:
        settings: database and Temporal cluster to join (``TEMPORAL_ADDRESS`` must be set: a
            worker for more machines joins the app's cluster, never a private dev server).
        task_queue: the queue to serve.
        stop_event: set it to stop; when None, SIGTERM and SIGINT set it (main thread only).
        reload_seconds: seconds between looks for changed deployments.

    Returns:
        The process exit code: 0 after a clean stop (also one while it still waited to
        start), 1 when it could not run (bad settings, a broken plugin module).
    """
    stop = stop_event if stop_event is not None else stop_on_signals()
    if settings.temporal_address is None:
        print(
            "error: TEMPORAL_ADDRESS is not set: a standalone worker joins the cluster the app "
            "uses (the app prints the embedded server's address)",
            file=sys.stderr,
        )
        return 1
    try:
        database = _wait_for(
            lambda: Database.open(settings.database_url),
            Outage("starting the worker"),
            DATABASE_UNAVAILABLE,
            stop,
        )
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if database is None:
        return 0  # stopped while waiting
    registry = load_registry(settings.activity_modules)
    metrics = None
    try:
        # Before the manager connects: temporalio's runtime is fixed when a client connects.
        metrics = serve_metrics(settings, database)
        manager = _wait_for(
            lambda: WorkerManager(
                settings, database, registry=registry, graceful_shutdown=timedelta(seconds=10)
            ),
            Outage("starting the worker", what="Temporal"),
            (TemporalConnectionError,),
            stop,
        )
        if manager is None:
            return 0
        with manager:
            # Every worker process is also a candidate run monitor: runs are mirrored into the
            # database while any process of the fleet is up, by whichever holds the lease.
            tracer = RunTracer(database, BundleStore(settings.deploy_dir), registry)
            monitor = RunMonitor(
                database, manager.host, tracer, MonitorSettings.from_settings(settings)
            )
            monitor.start()
            # Alerts too: they are evaluated by whichever process holds the monitor's lease.
            alerts = start_alerts(settings, database, manager.host, monitor.holder)
            try:
                return _serve(manager, database, task_queue, stop, reload_seconds)
            finally:
                alerts.stop()
                monitor.stop()
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if metrics is not None:
            metrics.close()
        database.close()


def _wait_for(
    attempt: Callable[[], T],
    outage: Outage,
    unavailable: tuple[type[Exception], ...],
    stop: threading.Event,
) -> T | None:
    """``attempt()`` until it succeeds, backing off while it raises ``unavailable``; None
    when ``stop`` is set meanwhile."""
    while True:
        try:
            result = attempt()
        except unavailable as error:
            if stop.wait(outage.failed(error)):
                return None
        else:
            outage.recovered()
            return result


def _serve(
    manager: WorkerManager,
    database: Database,
    task_queue: str,
    stop: threading.Event,
    reload_seconds: float,
) -> int:
    # While the database is away the workers keep serving the code they loaded (Temporal does
    # not need the database); only following new deployments waits.
    outage = Outage(f"deployment updates of {task_queue}")
    served: tuple[frozenset[int], int] | None = None
    failures = 0
    while True:
        try:
            served, applied = _follow(manager, database, task_queue, served)
        except DATABASE_UNAVAILABLE as error:
            wait = outage.failed(error)
        else:
            outage.recovered()
            # A change that could not be applied (Temporal away, a deployment that does not
            # load) is tried again, less often each time, until it is or the deployments move.
            failures = 0 if applied else failures + 1
            wait = min(RETRY_MAX_SECONDS, reload_seconds * 2**failures)
        if stop.wait(wait):
            break
    print("draining: waiting for running activities, then stopping", flush=True)
    return 0


def _follow(
    manager: WorkerManager,
    database: Database,
    task_queue: str,
    served: tuple[frozenset[int], int] | None,
) -> tuple[tuple[frozenset[int], int] | None, bool]:
    """Apply the queue's deployments and pool size when they changed.

    Returns:
        What is served now, and whether it is what the database asks for (False when the
        change could not be applied; what ran before keeps running).
    """
    deployments = served_deployments(database, task_queue)
    stepping = step_deployments(database, task_queue)
    # What the process must run: the queue's deployments, those whose steps run there, and
    # its pool size (scaled from the app, which records the size on the queue's row).
    current = (
        frozenset(d.id for d in (*deployments, *stepping)),
        manager.pool_size(task_queue),
    )
    if current == served:
        return current, True
    try:
        records = manager.apply_queue(task_queue)
    except WorkflowBuilderError as exc:
        # A broken deployment must not take the queue down: keep serving what runs.
        print(f"error: {exc}; trying again later", file=sys.stderr, flush=True)
        return served, False
    if records:
        types = ", ".join(sorted({d.workflow_type for d in deployments})) or "none"
        steps = ", ".join(sorted({d.workflow_type for d in stepping}))
        ids = ", ".join(r.worker_id for r in records)
        also = f"; activities of steps of {steps}" if steps else ""
        print(f"worker {ids} polling {task_queue}: workflows {types}{also}", flush=True)
    else:
        print(f"waiting for deployments on {task_queue}", flush=True)
    return current, True
