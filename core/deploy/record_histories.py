"""Record example run histories for the determinism gate (python -m core.deploy.record_histories).

Starts a private in-memory dev server (or uses ``TEMPORAL_ADDRESS`` when set), compiles each
example with the current compiler, runs its scenarios to completion and writes
``tests/histories/<example>/<scenario>.json`` plus the ``workflow.py`` they ran.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)

from core.activities import builtin_registry
from core.compiler import DEFAULT_TASK_QUEUE
from core.config import load_settings
from core.deploy.histories import HISTORIES_DIR, RECORDED_SOURCE, history_file_id
from core.examples import EXAMPLES_DIR
from core.runtime import BundleStore, WorkerHost, load_bundle
from core.runtime.runner import GraphFamily, compile_family
from core.temporal import EmbeddedTemporalServer, connect

logger = logging.getLogger(__name__)

#: Stands for the recorder's local web server in scenario inputs.
HTTP_PLACEHOLDER = "{http}"


@dataclass(frozen=True)
class Scenario:
    """One recorded run: its input, the signals sent right after it starts, the workflow
    updates sent after them (one at a time; a refused one leaves no trace), and whether it
    ends failed (a fail node) rather than completed."""

    name: str
    input: Mapping[str, Any]
    signals: tuple[tuple[str, Any], ...] = field(default_factory=tuple)
    fails: bool = False
    updates: tuple[tuple[str, Any], ...] = field(default_factory=tuple)


SCENARIOS: Mapping[str, tuple[Scenario, ...]] = {
    "approval_signal": (
        Scenario(
            "approved",
            {"request": "laptop", "timeout_seconds": 60},
            signals=(("approve", {"approved": True, "by": "ann"}),),
        ),
        Scenario("timed_out", {"request": "desk", "timeout_seconds": 1}),
    ),
    "approve_or_reject": (
        Scenario(
            "rejected",
            {"request": "leave", "timeout_seconds": 60},
            signals=(("reject", {"by": "bo"}),),
        ),
        Scenario("timed_out", {"request": "car", "timeout_seconds": 1}),
    ),
    "child_workflow": (Scenario("kid", {"name": "Kid"}),),
    "collect_greetings": (
        Scenario(
            "two_then_exit",
            {"timeout_seconds": 60},
            signals=(("greet", {"name": "Ann"}), ("greet", {"name": "Bob"}), ("exit", None)),
        ),
    ),
    "count_evens": (
        Scenario("to_ten", {"target": 10}),
        Scenario("capped", {"target": 10, "cap": 5}),
        # Long enough to pause (local activities whose answers the replay must take back).
        Scenario("paced", {"target": 3000, "cap": 10**9}),
    ),
    "foreach_loop": (Scenario("three_items", {"items": ["a", "b", "c"]}),),
    "guest_list": (
        Scenario(
            "two_then_close",
            {"capacity": 2, "timeout_seconds": 60},
            updates=(
                ("invite", {"name": "Ann"}),
                ("invite", {"name": "Ann"}),  # refused: invited already
                ("invite", {"name": "Bob"}),
                ("close", None),
            ),
        ),
    ),
    "hello_activity": (Scenario("ann", {"name": "Ann"}),),
    "order_saga": (
        Scenario("placed", {"amount": 80}),
        Scenario("refused", {"amount": 120}, fails=True),
    ),
    "http_fetch_condition": (
        Scenario("ok", {"url": f"{HTTP_PLACEHOLDER}/ok"}),
        Scenario("missing", {"url": f"{HTTP_PLACEHOLDER}/missing"}),
    ),
    "parallel_fanout": (Scenario("flow", {"word": "flow"}),),
    "parallel_foreach": (Scenario("five_items", {"items": ["a", "b", "c", "d", "e"]}),),
    "query_variables": (Scenario("four_items", {"items": [1, 2, 3, 4], "pause": 0.1}),),
    "retry_error_branch": (Scenario("service_down", {"message": "the service is down"}),),
    "scheduled_report": (Scenario("by_hand", {}),),
}


async def record_example(
    client: Client, family: GraphFamily, example: str, *, out: Path, http_base: str
) -> list[Path]:
    """Run every scenario of ``example`` to completion and write its history files."""
    folder = out / example
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for scenario in SCENARIOS[example]:
        workflow_id = history_file_id(example, scenario.name)
        handle = await client.start_workflow(
            family.main.workflow_type,
            _with_http(scenario.input, http_base),
            id=workflow_id,
            task_queue=DEFAULT_TASK_QUEUE,
            execution_timeout=timedelta(minutes=1),
        )
        if scenario.signals:
            # Sent once the run waits for them, so the history shows the wait (its timeout
            # timer started), whichever of the worker and this client is quicker.
            await _first_task_done(handle)
        for signal, payload in scenario.signals:
            await handle.signal(signal, payload)
        for update, payload in scenario.updates:
            # A refusal is part of the scenario: Temporal records nothing of it.
            with contextlib.suppress(WorkflowUpdateFailedError):
                await handle.execute_update(update, payload)
        try:
            await handle.result()
        except WorkflowFailureError:
            if not scenario.fails:
                raise
        else:
            if scenario.fails:
                raise RuntimeError(f"{example} {scenario.name}: the run was meant to fail")
        history = await handle.fetch_history()
        path = folder / f"{scenario.name}.json"
        path.write_text(history.to_json() + "\n", encoding="utf-8")
        written.append(path)
    (folder / RECORDED_SOURCE).write_text(family.main.files["workflow.py"], encoding="utf-8")
    return written


async def _first_task_done(handle: WorkflowHandle[Any, Any], deadline_s: float = 30.0) -> None:
    """Return once the run's first workflow task has completed."""
    loop = asyncio.get_running_loop()
    until = loop.time() + deadline_s
    while loop.time() < until:
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"run {handle.id}: no workflow task completed in {deadline_s:g} s")


def record(examples: list[str], *, out: Path, address: str | None) -> list[Path]:
    """Record the given examples against ``address`` or a private dev server."""
    # The example web server listens on loopback, which http_request refuses unless allowed;
    # the activities run in this process, so allowing it here allows exactly that.
    os.environ["WB_HTTP_ALLOW"] = "127.0.0.1"
    with (
        tempfile.TemporaryDirectory(prefix="wb-record-") as scratch,
        example_web_server() as http_base,
    ):
        root = Path(scratch)
        with _temporal(address, root) as settings, WorkerHost(settings) as host:
            families = {
                name: compile_family(
                    EXAMPLES_DIR / f"{name}.json",
                    registry=builtin_registry(),
                    default_task_queue=DEFAULT_TASK_QUEUE,
                )
                for name in examples
            }
            # One worker serves every example and child; equal bundles load once.
            store = BundleStore(root / "bundles")
            bundles = {b.workflow_type: b for f in families.values() for b in f.bundles}
            host.add_worker(
                DEFAULT_TASK_QUEUE, [load_bundle(store.write(b)) for b in bundles.values()]
            )

            async def run_all() -> list[Path]:
                client = await connect(settings)
                paths: list[Path] = []
                for name, family in families.items():
                    paths += await record_example(
                        client, family, name, out=out, http_base=http_base
                    )
                return paths

            return asyncio.run(run_all())


def _with_http(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace(HTTP_PLACEHOLDER, base)
    if isinstance(value, Mapping):
        return {key: _with_http(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_http(item, base) for item in value]
    return value


@contextmanager
def _temporal(address: str | None, scratch: Path) -> Iterator[Any]:
    if address:
        yield load_settings({"TEMPORAL_ADDRESS": address, "WB_DATA_DIR": str(scratch)})
        return
    with EmbeddedTemporalServer(log_file=scratch / "server.log") as server:
        settings = load_settings({"WB_DATA_DIR": str(scratch)})
        yield dataclasses.replace(settings, temporal_address=server.address)


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 -- the stdlib's name
        body, status = (b"hello", 200) if self.path == "/ok" else (b"no such page", 404)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def example_web_server() -> Iterator[str]:
    """A local web server for the http example: ``/ok`` answers 200, anything else 404.

    Yields its base URL. The history recorder and the example tests both fetch from it.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """Parse options and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("examples", nargs="*", default=sorted(SCENARIOS), help="examples to record")
    parser.add_argument("--out", type=Path, default=HISTORIES_DIR, help="folder to write to")
    parser.add_argument("--address", default=None, help="Temporal host:port (default: private)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.examples) - set(SCENARIOS))
    if unknown:
        parser.error(
            f"no scenarios for {', '.join(unknown)}; known: {', '.join(sorted(SCENARIOS))}"
        )
    logging.basicConfig(level=logging.WARNING)
    for path in record(args.examples, out=args.out, address=args.address):
        print(path)


if __name__ == "__main__":
    main()
