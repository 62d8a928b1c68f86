"""`python -m core server`: run the embedded Temporal dev server in the foreground."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import TYPE_CHECKING

from core.errors import WorkflowBuilderError

if TYPE_CHECKING:  # imported when the command runs, not at CLI start
    from core.temporal import EmbeddedTemporalServer

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `server` subcommand to the `python -m core` parser."""
    parser = subparsers.add_parser(
        "server",
        help="run the embedded Temporal dev server until Ctrl-C",
        description=(
            "Run `temporal server start-dev` with Workflow Builder's settings (TEMPORAL_DEV_PORT, "
            "TEMPORAL_DEV_UI_PORT, WB_DATA_DIR) until Ctrl-C or SIGTERM."
        ),
    )
    parser.add_argument("--port", type=int, help="gRPC port (default: TEMPORAL_DEV_PORT)")
    parser.add_argument("--ui-port", type=int, help="Web UI port (default: TEMPORAL_DEV_UI_PORT)")
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="keep no state on disk (default: <WB_DATA_DIR>/temporal.db)",
    )
    parser.set_defaults(handler=run_server)


def run_server(args: argparse.Namespace) -> int:
    """Run the server until a signal arrives; return the process exit code."""
    from core.config import load_settings
    from core.signals import stop_on_signals
    from core.temporal import EmbeddedTemporalServer
    from core.temporal.dev_server import PERSISTENCE_FILE

    try:
        settings = load_settings()
        server = EmbeddedTemporalServer(
            log_file=settings.data_dir / "temporal-server.log",
            db_filename=None if args.in_memory else settings.data_dir / PERSISTENCE_FILE,
            port=settings.temporal_dev_port if args.port is None else args.port,
            ui_port=settings.temporal_dev_ui_port if args.ui_port is None else args.ui_port,
            namespace=settings.temporal_namespace,
        )
        stop = stop_on_signals()
        server.start()
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"Temporal dev server at {server.address} (namespace {server.namespace})")
        print(f"Web UI: {server.ui_url}")
        print(f"Log: {server.log_file}")
        print(f"Use it from another process with TEMPORAL_ADDRESS={server.address}", flush=True)
        return _wait(server, stop)
    finally:
        server.stop()


def _wait(server: EmbeddedTemporalServer, stop: threading.Event) -> int:
    while not stop.wait(0.5):
        if server.pid is None:
            # Ctrl-C in a terminal reaches the server too; it may exit before our handler runs.
            if stop.wait(0.5):
                break
            print(
                f"error: the Temporal dev server exited; log {server.log_file}:\n"
                f"{server.log_tail()}",
                file=sys.stderr,
            )
            return 1
    print("stopping the Temporal dev server", flush=True)
    return 0
