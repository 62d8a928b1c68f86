"""`python -m core worker`: serve one task queue until SIGTERM or Ctrl-C.

With ``--bundle`` it serves those bundle folders; without, it joins the fleet: it serves the
queue's deployments from the database and follows new ones (``core.fleet``).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from core.errors import WorkflowBuilderError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `worker` subcommand to the `python -m core` parser."""
    parser = subparsers.add_parser(
        "worker",
        help="run a worker for a task queue until SIGTERM or Ctrl-C",
        description=(
            "Without --bundle: join the fleet. Register in the database (DATABASE_URL), serve "
            "the deployments of --task-queue on the cluster at TEMPORAL_ADDRESS (required), "
            "pick up new deployments without a restart, heartbeat, and drain on SIGTERM. "
            "With --bundle: copy each bundle folder into DEPLOY_DIR as an immutable package, "
            "load it and poll --task-queue until SIGTERM or Ctrl-C, then drain: running "
            "activities get --graceful-shutdown seconds to finish; this uses TEMPORAL_ADDRESS, "
            "or the embedded dev server when it is unset."
        ),
    )
    parser.add_argument("--task-queue", required=True, metavar="Q", help="task queue to poll")
    parser.add_argument(
        "--bundle",
        action="append",
        type=Path,
        metavar="DIR",
        help="bundle folder (workflow.py, activities.py, worker.py, manifest.json); repeatable",
    )
    parser.add_argument(
        "--graceful-shutdown",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long running activities may take to finish on shutdown (default: 10)",
    )
    parser.set_defaults(handler=worker_command, default_log_level="INFO")


def worker_command(args: argparse.Namespace) -> int:
    """Serve the queue until a signal arrives; return the process exit code."""
    from core.config import load_settings
    from core.fleet.standalone import run_standalone_worker
    from core.runtime import BundleStore, WorkerHost, load_bundle, read_bundle
    from core.signals import stop_on_signals
    from core.temporal import ensure_temporal

    if not args.bundle:
        try:
            settings = load_settings()
        except WorkflowBuilderError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return run_standalone_worker(settings, task_queue=args.task_queue)
    stop = stop_on_signals()
    try:
        settings = load_settings()
        store = BundleStore(settings.deploy_dir)
        loaded = [load_bundle(store.write(read_bundle(folder))) for folder in args.bundle]
        endpoint = ensure_temporal(settings)
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        with WorkerHost(
            endpoint.settings, graceful_shutdown=timedelta(seconds=args.graceful_shutdown)
        ) as host:
            info = host.add_worker(args.task_queue, loaded)
            print(
                f"worker polling {info.task_queue} at {endpoint.settings.temporal_address}: "
                f"workflows {', '.join(info.workflow_types)}; "
                f"activities {', '.join(info.activity_names)}",
                flush=True,
            )
            while not stop.wait(0.5):
                failed = host.failed_workers()
                if failed:
                    print(f"error: the worker stopped: {failed[args.task_queue]}", file=sys.stderr)
                    return 1
            print("draining: waiting for running activities, then stopping", flush=True)
        print("worker stopped", flush=True)
        return 0
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        endpoint.stop()
