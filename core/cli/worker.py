"""`python -m core worker`: serve bundle folders on one task queue until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from core.cli.server import _stop_on_signals
from core.config import load_settings
from core.errors import WorkflowBuilderError
from core.runtime import BundleStore, WorkerHost, load_bundle, read_bundle
from core.temporal import ensure_temporal


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `worker` subcommand to the `python -m core` parser."""
    parser = subparsers.add_parser(
        "worker",
        help="run a worker for bundle folders until SIGTERM or Ctrl-C",
        description=(
            "Copy each bundle folder into DEPLOY_DIR as an immutable package, load it and poll "
            "--task-queue until SIGTERM or Ctrl-C, then drain: running activities get "
            "--graceful-shutdown seconds to finish. Uses TEMPORAL_ADDRESS, or the embedded dev "
            "server when it is unset."
        ),
    )
    parser.add_argument("--task-queue", required=True, metavar="Q", help="task queue to poll")
    parser.add_argument(
        "--bundle",
        required=True,
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
    parser.set_defaults(handler=worker_command)


def worker_command(args: argparse.Namespace) -> int:
    """Serve the bundles until a signal arrives; return the process exit code."""
    stop = _stop_on_signals()
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
