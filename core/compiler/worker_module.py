"""``worker.py``: a standalone runner for the bundle, with nothing but temporalio."""

from __future__ import annotations

from core.codegen.errors import CompileError
from core.codegen.syntax import assign, const, store, unparse

_WORKER = '''
"""Runs this workflow bundle's Temporal worker until Ctrl-C: python worker.py [--help]."""

import argparse
import asyncio
import gc
import os
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

# Run as `python worker.py`, the bundle's folder is sys.path[0], so its files import by name.
import activities
import workflow

TASK_QUEUE = None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line options; the environment gives the defaults Temporal tools use."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--address",
        default=os.environ.get("TEMPORAL_ADDRESS", "localhost:7233"),
        help="Temporal frontend host:port (default: $TEMPORAL_ADDRESS or localhost:7233)",
    )
    parser.add_argument(
        "--namespace",
        default=os.environ.get("TEMPORAL_NAMESPACE", "default"),
        help="Temporal namespace (default: $TEMPORAL_NAMESPACE or default)",
    )
    parser.add_argument(
        "--task-queue", default=TASK_QUEUE, help="task queue to poll (default: %(default)s)"
    )
    return parser.parse_args(argv)


async def run_worker(args: argparse.Namespace) -> None:
    """Connect, then poll the task queue until cancelled."""
    client = await Client.connect(args.address, namespace=args.namespace)
    # Synchronous (plain def) activities run in this pool; async ones ignore it.
    with ThreadPoolExecutor(max_workers=16) as executor:
        worker = Worker(
            client,
            task_queue=args.task_queue,
            workflows=[workflow.WORKFLOW_CLASS],
            activities=activities.ACTIVITIES,
            activity_executor=executor,
        )
        print(
            f"worker for {workflow.WORKFLOW_TYPE} polling {args.task_queue!r} at {args.address}",
            flush=True,
        )
        try:
            await worker.run()
        finally:
            # Free the SDK's native handles while the event loop still runs: a process that
            # exits straight after its worker stops can crash while the interpreter finalises.
            del worker, client
            gc.collect()
            await asyncio.sleep(0.2)


def main() -> None:
    """Run until Ctrl-C."""
    try:
        asyncio.run(run_worker(parse_args()))
    except KeyboardInterrupt:
        pass


# Temporal's sandbox re-imports the main module; only a direct run may start the worker.
if __name__ == "__main__":
    main()
'''


def generate_worker_source(*, task_queue: str, workflow_class: str) -> str:
    """The ``worker.py`` source (unformatted), polling ``task_queue`` with the workflow class.

    The template keeps its comments, so it stays text; the task queue enters as an
    ``ast.Constant`` and the class name is a checked identifier.
    """
    if not workflow_class.isidentifier():
        raise CompileError(f"{workflow_class!r} is not a class name", subject="worker.py")
    queue = unparse([assign(store("TASK_QUEUE"), const(task_queue))])
    return (
        _WORKER.lstrip("\n")
        .replace("TASK_QUEUE = None", queue, 1)
        .replace("WORKFLOW_CLASS", workflow_class)
    )
