"""Step latency: a three-step run end to end, product versus plain temporalio (issue 17).

Run from the repository root: ``.venv/bin/python bench/latency.py [--runs 100]``.

Runs one after the other (no load), each timed from the start call to its result, and from the
start call to the first step's start (its ActivityTaskStarted event, or a local step's
scheduled time in its marker; the server's or worker's clock, this machine's, so ours):
  * defaults: the hand-written three-activity workflow of ``bench/throughput.py``, plain
    temporalio with its defaults, against a plain ``temporal server start-dev`` (in memory),
    which is what a person gets from the two without tuning;
  * hand-tuned: the same workflow with the product's options: its three calls as local
    activities (the product runs ``echo`` steps locally), on the product's embedded server
    (``core.temporal.dev_server.LATENCY_DYNAMIC_CONFIG``), started with eager start through
    the client its worker polls with;
  * product: ``bench/throughput.py``'s three-step graph deployed through the app's services
    (compiled, stored, served by the worker manager), started and waited for by
    ``RunService.start_and_wait``, as the console's Start run does, in the process that runs
    the queue's worker (its run row written, its permission checked);
  * product, no local worker: the same, started by a ``RunService`` that has no worker of its
    own for the queue (the command-line console's case: no eager start).
Hand-tuned and product rounds alternate, 20 short rounds by default (see ``side_by_side``). The
last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

REPO_ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(REPO_ROOT))

# The hand-written side is throughput.py's (only stdlib and temporalio at its top, so the
# workflow sandbox can re-import it cheaply).
from bench.throughput import (  # noqa: E402
    HAND_LOCAL_TYPE,
    HAND_TYPE,
    TIMEOUT,
    HandWritten,
    HandWrittenLocal,
    bench_noop,
    percentile,
    three_activity_graph,
)

#: One run's figures: seconds from the start call to the result, and to the first step.
Sample = tuple[float, float]


async def first_step_delay(handle: WorkflowHandle[Any, Any], began: datetime) -> float:
    """Seconds from ``began`` to the start of the run's first step.

    A regular step's start is its ActivityTaskStarted event; a local step's is the
    ``original_schedule_time`` its marker keeps (it starts running at once, in the worker).
    """
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            return (event.event_time.ToDatetime(tzinfo=UTC) - began).total_seconds()
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            data = json.loads(
                event.marker_recorded_event_attributes.details["data"].payloads[0].data
            )
            scheduled = data["original_schedule_time"]
            at = datetime.fromtimestamp(scheduled["seconds"] + scheduled["nanos"] / 1e9, UTC)
            return (at - began).total_seconds()
    raise AssertionError(f"run {handle.id} has no started step")


async def hand_run(client: Client, queue: str, i: int, *, tuned: bool) -> Sample:
    """One run of the hand-written workflow, started through the worker's own client; tuned:
    local activities (as the product runs ``echo`` steps) and eager start."""
    began_wall = datetime.now(UTC)
    began = time.perf_counter()
    handle = await client.start_workflow(
        HAND_LOCAL_TYPE if tuned else HAND_TYPE,
        f"v{i}",
        id=f"{queue}-{i}",
        task_queue=queue,
        execution_timeout=TIMEOUT,
        request_eager_start=tuned,
    )
    result = await handle.result()
    total = time.perf_counter() - began
    assert result == f"v{i}", f"run {i} returned {result!r}"
    return total, await first_step_delay(handle, began_wall)


def hand_worker(client: Client, queue: str, *, tuned: bool) -> Worker:
    """A plain Worker for the hand-written workflows; tuned: with the product's sandbox option
    too (its workflow module is not re-imported per run)."""
    from core.runtime.sandbox import passthrough_sandbox

    modules = [HandWrittenLocal.__module__]
    return Worker(
        client,
        task_queue=queue,
        workflows=[HandWritten, HandWrittenLocal],
        activities=[bench_noop],
        workflow_runner=passthrough_sandbox(modules) if tuned else SandboxedWorkflowRunner(),
    )


async def defaults_runs(address: str, runs: int) -> list[Sample]:
    """``runs`` sequential runs of the hand-written workflow with temporalio's defaults, on a
    plain Worker (after 5 warm)."""
    client = await Client.connect(address)
    queue = f"lat-hand-{uuid.uuid4().hex[:8]}"
    async with hand_worker(client, queue, tuned=False):
        for i in range(5):
            await hand_run(client, queue, -1 - i, tuned=False)
        return [await hand_run(client, queue, i, tuned=False) for i in range(runs)]


async def side_by_side(
    address: str, product: ProductSide, rounds: int, per_round: int
) -> dict[str, list[Sample]]:
    """Hand-tuned and product runs in ``rounds`` alternating rounds of ``per_round`` runs, the
    order flipping each round.

    Short rounds, and the hand-tuned worker polling throughout (as the product's do), give
    both sides the same conditions: the server's state and the run monitor's passes, which
    read the product's closed runs, fall on both alike. The hand-tuned runs are started and
    awaited on their worker's loop (this one); the product is called from a thread, as a
    page's script thread calls the services.
    """
    client = await Client.connect(address)
    queue = f"lat-hand-{uuid.uuid4().hex[:8]}"
    samples: dict[str, list[Sample]] = {"tuned": [], "product": [], "product_remote": []}
    async with hand_worker(client, queue, tuned=True):
        for i in range(5):
            await hand_run(client, queue, -1 - i, tuned=True)
        for r in range(rounds):
            numbers = range(r * per_round, (r + 1) * per_round)
            for name in list(samples) if r % 2 == 0 else list(samples)[::-1]:
                if name == "tuned":
                    samples[name] += [await hand_run(client, queue, i, tuned=True) for i in numbers]
                else:
                    local = name == "product"
                    samples[name] += await asyncio.to_thread(
                        lambda: [product.run(i, local=local) for i in numbers]  # noqa: B023
                    )
    return samples


def plain_server(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``temporal server start-dev`` with nothing but a port: what a person starts by hand."""
    from core.temporal import find_temporal_cli, free_port

    port = free_port()
    log = open(root / "plain-server.log", "wb")  # noqa: SIM115 -- the child writes it until stopped
    process = subprocess.Popen(
        [str(find_temporal_cli()), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
        + ["--port", str(port), "--log-level", "warn"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    return process, f"127.0.0.1:{port}"


async def wait_for_server(address: str, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            await Client.connect(address)
            return
        except Exception:  # not listening yet: retry until the deadline
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


class ProductSide:
    """The three-step graph deployed through the app's services; runs started as the console."""

    def __init__(self, address: str, root: Path) -> None:
        from core.config import load_settings
        from core.executions import RunService
        from core.services import build_services

        settings = load_settings(
            {
                "TEMPORAL_ADDRESS": address,
                "WB_DATA_DIR": str(root / "app"),
                "WB_DEFAULT_TASK_QUEUE": f"lat-product-{uuid.uuid4().hex[:8]}",
                "WB_RUN_STARTS_PER_MINUTE": "0",
            }
        )
        self.services = build_services(settings)
        temporal = self.services.temporal
        workflow = self.services.workflows.create(name="bench_three_steps")
        self.services.workflows.save_draft(workflow.id, three_activity_graph())
        self.services.deploy.deploy(workflow.id)
        self.workflow_id = workflow.id
        self.gateway = temporal.gateway
        # The command-line console's RunService: no worker of its own, so no eager start.
        self.remote_runs = RunService(self.services.database, temporal.gateway)

    def run(self, i: int, *, local: bool) -> Sample:
        runs = self.services.runs if local else self.remote_runs
        began_wall = datetime.now(UTC)
        began = time.perf_counter()
        state = runs.start_and_wait(
            self.workflow_id, {"value": f"v{i}"}, wait=TIMEOUT.total_seconds()
        )
        total = time.perf_counter() - began
        assert state.result == f"v{i}", f"run {i} ended {state.status}: {state.result!r}"
        ref = state.ref
        handle = self.gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
        return total, self.gateway.call(first_step_delay(handle, began_wall))

    def close(self) -> None:
        self.services.close()


def figures(name: str, samples: list[Sample]) -> dict[str, float]:
    totals = [s[0] for s in samples]
    firsts = [s[1] for s in samples]
    return {
        f"{name}_p50_ms": round(statistics.median(totals) * 1000, 1),
        f"{name}_p99_ms": round(percentile(totals, 0.99) * 1000, 1),
        f"{name}_first_step_p50_ms": round(statistics.median(firsts) * 1000, 1),
    }


def main() -> int:
    """Measure every side, print the table and the JSON line; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="runs per side")
    parser.add_argument("--rounds", type=int, default=20, help="alternating rounds")
    args = parser.parse_args()
    from core.temporal import EmbeddedTemporalServer

    per_round = max(1, args.runs // args.rounds)
    with tempfile.TemporaryDirectory(prefix="wb-latency-") as scratch:
        root = Path(scratch)
        process, address = plain_server(root)
        try:
            asyncio.run(wait_for_server(address))
            defaults = asyncio.run(defaults_runs(address, per_round * args.rounds // 2))
        finally:
            process.terminate()
            process.wait()
        with EmbeddedTemporalServer(
            log_file=root / "server.log", db_filename=root / "temporal.db"
        ) as server:
            product = ProductSide(server.address, root)
            try:
                for i in range(5):  # warm the product's path (imports, sandbox, caches)
                    product.run(-1 - i, local=True)
                samples = asyncio.run(side_by_side(server.address, product, args.rounds, per_round))
            finally:
                product.close()
    result: dict[str, Any] = {"runs_per_side": per_round * args.rounds}
    result |= figures("defaults", defaults)
    for name in ("tuned", "product", "product_remote"):
        result |= figures(name, samples[name])
    result["product_to_defaults_ratio"] = round(
        result["product_p50_ms"] / result["defaults_p50_ms"], 3
    )
    result["product_to_tuned_ratio"] = round(result["product_p50_ms"] / result["tuned_p50_ms"], 3)
    print(f"{'side':<32} {'p50 ms':>8} {'p99 ms':>8} {'first step p50 ms':>18}")
    for name, label in (
        ("defaults", "plain temporalio, defaults"),
        ("tuned", "plain temporalio, hand-tuned"),
        ("product", "product (console, local worker)"),
        ("product_remote", "product (no local worker)"),
    ):
        print(
            f"{label:<32} {result[name + '_p50_ms']:>8} {result[name + '_p99_ms']:>8} "
            f"{result[name + '_first_step_p50_ms']:>18}"
        )
    print(
        f"product / defaults {result['product_to_defaults_ratio']} (target <= 0.15), "
        f"product / tuned {result['product_to_tuned_ratio']} (target <= 1.1)"
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
