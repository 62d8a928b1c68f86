"""A standalone worker process: serve one task queue's deployments until SIGTERM or Ctrl-C.

Run it as ``python -m core.fleet --task-queue Q`` (or through ``python -m core
worker --task-queue Q``). It uses the same ``DATABASE_URL`` and ``TEMPORAL_ADDRESS`` as the app.
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import timedelta

from core.activities import load_registry
from core.alerts import start_alerts
from core.config import Settings
from core.db import Database
from core.errors import WorkflowBuilderError
from core.fleet.code import served_deployments
from core.fleet.errors import FleetConfigError
from core.fleet.manager import WorkerManager
from core.metrics import serve_metrics
from core.runs import MonitorSettings, RunMonitor, RunTracer
from core.runtime import BundleStore
from core.signals import stop_on_signals

logger = logging.getLogger(__name__)

#: Seconds between looks at the database for changed deployments of the queue.
RELOAD_SECONDS = 2.0


def run_standalone_worker(
    settings: Settings,
    *,
    task_queue: str,
    stop_event: threading.Event | None = None,
    reload_seconds: float = RELOAD_SECONDS,
) -> int:
    """Serve ``task_queue`` from this process until stopped, following its deployments.

    Registers its worker in the database, loads the queue's pending, active and draining
    deployments, applies changed deployments and pool sizes without a restart, heartbeats,
    and on stop
    drains (running activities finish) and records itself stopped. A queue with nothing to
    serve yet gets its worker as soon as a deployment appears.

    Args:
        settings: database and Temporal cluster to join (``TEMPORAL_ADDRESS`` must be set: a
            worker for more machines joins the app's cluster, never a private dev server).
        task_queue: the queue to serve.
        stop_event: set it to stop; when None, SIGTERM and SIGINT set it (main thread only).
        reload_seconds: seconds between looks for changed deployments.

    Returns:
        The process exit code: 0 after a clean stop, 1 when it could not run.
    """
    stop = stop_event if stop_event is not None else stop_on_signals()
    try:
        if settings.temporal_address is None:
            raise FleetConfigError(
                "TEMPORAL_ADDRESS is not set: a standalone worker joins the cluster the app "
                "uses (the app prints the embedded server's address)"
            )
        database = Database.open(settings.database_url)
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    registry = load_registry(settings.activity_modules)
    metrics = None
    try:
        # Before the manager connects: temporalio's runtime is fixed when a client connects.
        metrics = serve_metrics(settings, database)
        with WorkerManager(
            settings, database, registry=registry, graceful_shutdown=timedelta(seconds=10)
        ) as manager:
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


def _serve(
    manager: WorkerManager,
    database: Database,
    task_queue: str,
    stop: threading.Event,
    reload_seconds: float,
) -> int:
    served: tuple[frozenset[int], int] | None = None
    while True:
        deployments = served_deployments(database, task_queue)
        # What the process must run: the queue's deployments and its pool size (scaled from
        # the app, which records the size on the queue's row).
        current = (frozenset(d.id for d in deployments), manager.pool_size(task_queue))
        if current != served:
            try:
                records = manager.apply_queue(task_queue)
            except WorkflowBuilderError as exc:
                # A broken deployment must not take the queue down: keep serving what runs,
                # and try again at the next change.
                print(f"error: {exc}", file=sys.stderr, flush=True)
            else:
                if records:
                    types = ", ".join(sorted({d.workflow_type for d in deployments}))
                    ids = ", ".join(r.worker_id for r in records)
                    print(f"worker {ids} polling {task_queue}: workflows {types}", flush=True)
                else:
                    print(f"waiting for deployments on {task_queue}", flush=True)
            served = current
        if stop.wait(reload_seconds):
            break
    print("draining: waiting for running activities, then stopping", flush=True)
    return 0
