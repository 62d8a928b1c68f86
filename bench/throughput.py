"""Throughput and latency of compiled workflows on the WorkerHost versus hand-written temporalio.

Run from the repository root: ``.venv/bin/python bench/throughput.py [--runs 200] [--rounds 5]``.

One embedded dev server (SQLite file, WAL pragmas) serves both sides, one after the other:
  * product: a three-activity graph compiled by ``core.compiler``, written by the bundle store,
    imported by the loader and served by a ``WorkerHost`` (its own thread, loop and client);
  * hand-written: the same three no-op calls in a plain ``@workflow.defn`` class, as local
    activities (the product runs its ``echo`` steps locally: the same option), served by a
    plain ``Worker`` in the benchmark's own loop.
The order alternates (ABBA...) so neither side always runs on a warmer server; rates are
the medians of the rounds. The last line
printed is one JSON object of the figures, each named with its unit.

``--monitor`` measures the run monitor's cost instead: the same three-step graph deployed
through the app's services (SQLite database, the app's worker manager serving its queue), the
same load of concurrent runs per round, rounds alternating between the run monitor off and on
(a ``RunMonitor`` on the same database and server, holding the lease, caught up before the
round's clock starts). A thread polls the database every 100 ms in both kinds of round (so
both pay for it) and notes when each run's record first shows it closed: mirroring lag is that
moment minus the close time Temporal recorded. Its JSON line has the monitor figures only.

``--secrets`` measures what secrets cost: the three-step graph where each step also passes a
40-character token, once written literally and once as ``secret("bench_token")`` (so each step
resolves it from a SQLite database: read, decrypt), both served by one ``WorkerHost`` with the
app's secret store, rounds alternating. Its JSON line has the figures of that comparison.

``--bounds`` measures what the run-time bounds (core.bounds: sized expression helpers, checked
payloads, loop pacing) cost: the three-step graph compiled with them and without
(``core.expressions.unbounded()``, which only benchmarks use), both served by one
``WorkerHost``, rounds alternating. Besides the rates it gives this process's CPU time per run
(worker and client), which other jobs on the machine disturb less. Its JSON line has the
figures of that comparison.
"""

from __future__ import annotations

import abc
import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

# Only stdlib and temporalio are imported at the top: the workflow sandbox re-imports this
# module for each run of the hand-written workflow, and the product's generated workflow.py is
# equally small. `core` is imported inside main().
REPO_ROOT = Path(__file__).parents[1]
HAND_TYPE = "bench_hand_written"
HAND_LOCAL_TYPE = "bench_hand_written_local"
TIMEOUT = timedelta(seconds=30)


@activity.defn(name="bench_noop")
async def bench_noop(value: Any) -> Any:
    """Return the value unchanged (the hand-written side's no-op activity)."""
    return value


@workflow.defn(name=HAND_TYPE)
class HandWritten:
    """Three sequential no-op activities, as a person would write them with temporalio."""

    @workflow.run
    async def run(self, value: str) -> str:
        for _ in range(3):
            value = await workflow.execute_activity(
                bench_noop, value, start_to_close_timeout=timedelta(minutes=1)
            )
        return value


@workflow.defn(name=HAND_LOCAL_TYPE)
class HandWrittenLocal:
    """The same three calls as local activities: how the product runs its ``echo`` steps,
    so the hand-tuned baseline uses the same option."""

    @workflow.run
    async def run(self, value: str) -> str:
        for _ in range(3):
            value = await workflow.execute_local_activity(
                bench_noop, value, start_to_close_timeout=timedelta(minutes=1)
            )
        return value


def three_activity_graph(
    name: str = "bench_three_steps", token: str | None = None
) -> dict[str, Any]:
    """A start node, three ``echo`` activities in a row, and an end node.

    With ``token`` (an expression), each step echoes ``{"v": <value>, "token": <token>}``
    instead of the value alone; the run's result is the same.
    """
    steps = ["a1", "a2", "a3"]
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "start",
            "label": "Start",
            "params": {"input_fields": [{"name": "value", "type": "string", "required": True}]},
        }
    ]
    # Each step echoes the previous one's result; the first echoes the input.
    for step, source in zip(steps, ["input.value", *steps[:-1]], strict=True):
        if token is not None:
            source = f'{{"v": {source if step == "a1" else source + ".v"}, "token": {token}}}'
        nodes.append(
            {
                "id": step,
                "type": "activity",
                "label": step,
                "params": {
                    "activity": "echo",
                    "args": {"value": {"expr": source}},
                    "result_variable": step,
                },
            }
        )
    result = "a3" if token is None else "a3.v"
    nodes.append({"id": "end", "type": "end", "label": "End", "params": {"result": result}})
    chain = ["start", *steps, "end"]
    edges = [
        {"id": f"e{i}", "source": a, "target": b, "handle": "next"}
        for i, (a, b) in enumerate(zip(chain, chain[1:], strict=False), start=1)
    ]
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "signals": [], "queries": []},
        "nodes": nodes,
        "edges": edges,
    }


class Side(abc.ABC):
    """One way of serving the workflow: start its worker on a queue, stop it again."""

    def __init__(self, name: str, workflow_type: str) -> None:
        self.name = name
        self.workflow_type = workflow_type

    @abc.abstractmethod
    async def start_worker(self, task_queue: str) -> None:
        """Serve the workflow on ``task_queue``."""

    @abc.abstractmethod
    async def stop_worker(self) -> None:
        """Stop serving it."""


class ProductSide(Side):
    """The compiled bundle, stored, loaded and hosted by a WorkerHost (its own, or ``host``)."""

    def __init__(
        self,
        address: str,
        store_root: Path,
        *,
        graph: dict[str, Any] | None = None,
        host: Any = None,
        name: str = "product",
        bounded: bool = True,
    ) -> None:
        from core.activities import builtin_registry
        from core.compiler import compile_graph
        from core.config import load_settings
        from core.expressions import unbounded
        from core.graph.document import graph_from_dict
        from core.runtime import BundleStore, WorkerHost, load_bundle

        with contextlib.nullcontext() if bounded else unbounded():
            bundle = compile_graph(
                graph_from_dict(graph or three_activity_graph()),
                registry=builtin_registry(),
                default_task_queue="bench",
            )
        super().__init__(name, bundle.workflow_type)
        self._loaded = load_bundle(BundleStore(store_root).write(bundle))
        settings = load_settings({"TEMPORAL_ADDRESS": address, "WB_DATA_DIR": str(store_root)})
        self._owns_host = host is None
        self._host = WorkerHost(settings) if host is None else host
        self._queue: str | None = None

    async def start_worker(self, task_queue: str) -> None:
        # WorkerHost methods block until its own loop has done the work; keep ours free.
        await asyncio.to_thread(self._host.add_worker, task_queue, [self._loaded])
        self._queue = task_queue

    async def stop_worker(self) -> None:
        assert self._queue is not None
        await asyncio.to_thread(self._host.remove_worker, self._queue)

    def close(self) -> None:
        if self._owns_host:
            self._host.close()


class HandSide(Side):
    """The hand-written workflow on a plain Worker in this loop: with the product's option
    (local activities, as the product runs ``echo`` steps), or with regular activities."""

    def __init__(self, client: Client, *, local: bool = True) -> None:
        super().__init__("hand-written", HAND_LOCAL_TYPE if local else HAND_TYPE)
        self._client = client
        self._worker: Worker | None = None
        self._run: asyncio.Task[None] | None = None

    async def start_worker(self, task_queue: str) -> None:
        from core.runtime.sandbox import passthrough_sandbox

        self._worker = Worker(
            self._client,
            task_queue=task_queue,
            workflows=[HandWritten, HandWrittenLocal],
            activities=[bench_noop],
            # The product's sandbox option too: the workflow module is not re-imported per run.
            workflow_runner=passthrough_sandbox([HandWrittenLocal.__module__]),
        )
        self._run = asyncio.create_task(self._worker.run())

    async def stop_worker(self) -> None:
        assert self._worker is not None and self._run is not None
        await self._worker.shutdown()
        await self._run


async def with_worker(side: Side, body: Callable[[str], Awaitable[Any]]) -> Any:
    queue = f"bench-{side.name}-{uuid.uuid4().hex[:8]}"
    await side.start_worker(queue)
    try:
        return await body(queue)
    finally:
        await side.stop_worker()


async def throughput(client: Client, side: Side, runs: int) -> float:
    """Start ``runs`` workflows at once and return completed workflows per second."""

    async def body(queue: str) -> float:
        started = time.perf_counter()

        async def one(i: int) -> Any:
            handle = await client.start_workflow(
                side.workflow_type,
                _input(side, i),
                id=f"{queue}-{i}",
                task_queue=queue,
                execution_timeout=TIMEOUT,
            )
            return await handle.result()

        results = await asyncio.gather(*(one(i) for i in range(runs)))
        elapsed = time.perf_counter() - started
        assert results == [f"v{i}" for i in range(runs)], "a run returned the wrong value"
        return runs / elapsed

    return await with_worker(side, body)


async def latency(client: Client, side: Side, runs: int) -> tuple[list[float], list[float]]:
    """Run ``runs`` workflows one after the other; return start and end-to-end seconds."""

    async def body(queue: str) -> tuple[list[float], list[float]]:
        starts: list[float] = []
        totals: list[float] = []
        for i in range(runs):
            began = time.perf_counter()
            handle = await client.start_workflow(
                side.workflow_type,
                _input(side, i),
                id=f"{queue}-{i}",
                task_queue=queue,
                execution_timeout=TIMEOUT,
            )
            starts.append(time.perf_counter() - began)
            await handle.result()
            totals.append(time.perf_counter() - began)
        return starts, totals

    return await with_worker(side, body)


def _input(side: Side, i: int) -> Any:
    return f"v{i}" if isinstance(side, HandSide) else {"value": f"v{i}"}


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


async def measure(address: str, store_root: Path, runs: int, rounds: int, sequential: int) -> dict:
    client = await Client.connect(address)
    product = ProductSide(address, store_root)
    hand = HandSide(client)
    try:
        # Warm both paths (sandbox imports, server caches, SQLite pages) with one untimed
        # full round each: the first rounds after a server start run visibly slower.
        for side in (product, hand):
            await throughput(client, side, runs)
        rates: dict[str, list[float]] = {"product": [], "hand-written": []}
        order: list[Side] = []
        for r in range(rounds):
            order += [product, hand] if r % 2 == 0 else [hand, product]
        for side in order:
            rate = await throughput(client, side, runs)
            rates[side.name].append(rate)
            print(f"{side.name:>12}: {runs} concurrent runs, {rate:6.1f} workflows/s", flush=True)
        figures: dict[str, Any] = {}
        for side in (product, hand):
            starts, totals = await latency(client, side, sequential)
            key = "product" if side is product else "hand"
            figures[f"{key}_start_p50_ms"] = round(percentile(starts, 0.50) * 1000, 2)
            figures[f"{key}_start_p99_ms"] = round(percentile(starts, 0.99) * 1000, 2)
            figures[f"{key}_end_to_end_p50_ms"] = round(percentile(totals, 0.50) * 1000, 1)
    finally:
        product.close()
    # Medians: on a 2-core machine one round in several is off by 20 % either way.
    product_rate = statistics.median(rates["product"])
    hand_rate = statistics.median(rates["hand-written"])
    return {
        "runs_per_round": runs,
        "rounds_per_side": rounds,
        "product_workflows_per_s": round(product_rate, 1),
        "hand_workflows_per_s": round(hand_rate, 1),
        "product_rounds_workflows_per_s": [round(rate, 1) for rate in rates["product"]],
        "hand_rounds_workflows_per_s": [round(rate, 1) for rate in rates["hand-written"]],
        "product_to_hand_ratio": round(product_rate / hand_rate, 3),
        "sequential_runs": sequential,
        **figures,
    }


class LagWatch:
    """Polls the records of one round's runs; notes how long after closing each shows closed.

    It reads two columns of the round's closed rows, the same query in both modes, so what it
    costs does not count against the monitor.
    """

    def __init__(self, database: Any, prefix: str, expected: int) -> None:
        from sqlalchemy import select

        from core.db.models import ExecutionRow

        self._query = select(ExecutionRow.workflow_id, ExecutionRow.close_time).where(
            ExecutionRow.workflow_id.startswith(prefix), ExecutionRow.close_time.is_not(None)
        )
        self._engine = database.engine
        self._expected = expected
        self._stop = threading.Event()
        self.lags: dict[str, float] = {}
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set() and len(self.lags) < self._expected:
            with self._engine.connect() as connection:
                rows = connection.execute(self._query).all()
            now = datetime.now(UTC)
            for workflow_id, close_time in rows:
                if workflow_id not in self.lags:
                    closed = close_time if close_time.tzinfo else close_time.replace(tzinfo=UTC)
                    self.lags[workflow_id] = (now - closed).total_seconds()
            self._stop.wait(0.1)

    def finish(self, *, timeout: float) -> dict[str, float]:
        """Wait up to ``timeout`` s for every run to show closed; return the lags in seconds."""
        self._thread.join(timeout)
        self._stop.set()
        self._thread.join()
        return self.lags


async def load_round(address: str, workflow_type: str, queue: str, prefix: str, runs: int) -> float:
    """Start ``runs`` runs of the deployed graph at once; return completed workflows per second."""
    client = await Client.connect(address)
    started = time.perf_counter()

    async def one(i: int) -> Any:
        handle = await client.start_workflow(
            workflow_type,
            {"value": f"v{i}"},
            id=f"{prefix}-{i}",
            task_queue=queue,
            execution_timeout=TIMEOUT,
        )
        return await handle.result()

    results = await asyncio.gather(*(one(i) for i in range(runs)))
    elapsed = time.perf_counter() - started
    assert results == [f"v{i}" for i in range(runs)], "a run returned the wrong value"
    return runs / elapsed


def measure_monitor(address: str, root: Path, runs: int, rounds: int) -> dict[str, Any]:
    """Throughput with the run monitor off and on, alternating, and its mirroring lag."""
    from core.config import load_settings
    from core.runs import MonitorSettings, RunMonitor, RunTracer
    from core.runtime import BundleStore
    from core.services import build_services

    settings = load_settings(
        {
            "TEMPORAL_ADDRESS": address,
            "WB_DATA_DIR": str(root / "app"),
            "WB_DEFAULT_TASK_QUEUE": "bench",
        }
    )
    services = build_services(settings)
    try:
        temporal = services.temporal
        temporal.monitor.stop()  # the app's own monitor: this bench switches one on and off
        workflow = services.workflows.create(name="bench_three_steps")
        services.workflows.save_draft(workflow.id, three_activity_graph())
        deployment = services.deploy.deploy(workflow.id).deployment
        tracer = RunTracer(services.database, BundleStore(settings.deploy_dir), services.registry)
        rates: dict[str, list[float]] = {"off": [], "on": []}
        lags: list[float] = []
        missing = 0
        # One untimed round of each first (imports, caches), then ABBA...
        order = ["off", "on"] + [
            mode for r in range(rounds) for mode in (("on", "off") if r % 2 else ("off", "on"))
        ]
        for number, mode in enumerate(order):
            monitor = None
            if mode == "on":
                monitor = RunMonitor(
                    services.database,
                    temporal.gateway,
                    tracer,
                    MonitorSettings.from_settings(settings),
                )
                while True:  # catch up with the runs of the off rounds before the clock starts
                    report = monitor.run_pass()
                    if report.changed == 0 and report.details == 0:
                        break
                monitor.start()
            prefix = f"mon-{number}-{mode}-{uuid.uuid4().hex[:6]}"
            watch = LagWatch(services.database, prefix, runs)
            rate = asyncio.run(
                load_round(address, deployment.workflow_type, deployment.task_queue, prefix, runs)
            )
            seen = watch.finish(timeout=30 if monitor else 0)
            if monitor is not None:
                monitor.stop()
            if number < 2:
                continue
            rates[mode].append(rate)
            if mode == "on":
                lags += seen.values()
                missing += runs - len(seen)
            print(f"monitor {mode:>3}: {runs} concurrent runs, {rate:6.1f} workflows/s", flush=True)
    finally:
        services.close()
    off, on = statistics.median(rates["off"]), statistics.median(rates["on"])
    return {
        "runs_per_round": runs,
        "rounds_per_mode": rounds,
        "monitor_off_workflows_per_s": round(off, 1),
        "monitor_on_workflows_per_s": round(on, 1),
        "monitor_off_rounds_workflows_per_s": [round(rate, 1) for rate in rates["off"]],
        "monitor_on_rounds_workflows_per_s": [round(rate, 1) for rate in rates["on"]],
        "monitor_on_to_off_ratio": round(on / off, 3),
        "mirroring_lag_p50_ms": round(percentile(lags, 0.50) * 1000),
        "mirroring_lag_p95_ms": round(percentile(lags, 0.95) * 1000),
        "mirroring_lag_max_ms": round(max(lags) * 1000),
        "runs_not_mirrored_within_30_s": missing,
    }


async def measure_secrets(address: str, root: Path, runs: int, rounds: int) -> dict[str, Any]:
    """Throughput of the token graph with the token written literally and as a secret."""
    from cryptography.fernet import Fernet

    from core.config import load_settings
    from core.db import Database
    from core.db.types import utc_now
    from core.runtime import WorkerHost
    from core.secrets import SecretBox, StoredSecrets

    token = "t" * 40
    key = Fernet.generate_key()
    settings = load_settings(
        {"TEMPORAL_ADDRESS": address, "WB_DATA_DIR": str(root), "WB_SECRET_KEY": key.decode()}
    )
    client = await Client.connect(address)
    with Database.open(settings.database_url) as database:
        sealed = SecretBox(key).seal(token)
        database.secrets.create("bench_token", ciphertext=sealed, created_by="bench", now=utc_now())
        host = WorkerHost(settings, secrets=StoredSecrets(settings, database))
        try:
            plain = ProductSide(
                address,
                root / "bundles",
                graph=three_activity_graph("bench_literal_token", token=repr(token)),
                host=host,
                name="literal",
            )
            secret = ProductSide(
                address,
                root / "bundles",
                graph=three_activity_graph("bench_secret_token", token='secret("bench_token")'),
                host=host,
                name="secret",
            )
            for side in (plain, secret):  # one untimed round each (imports, caches)
                await throughput(client, side, runs)
            rates: dict[str, list[float]] = {"literal": [], "secret": []}
            for r in range(rounds):
                for side in (plain, secret) if r % 2 == 0 else (secret, plain):
                    rate = await throughput(client, side, runs)
                    rates[side.name].append(rate)
                    print(
                        f"{side.name:>8} token: {runs} concurrent runs, {rate:6.1f} workflows/s",
                        flush=True,
                    )
        finally:
            host.close()
    literal, with_secret = statistics.median(rates["literal"]), statistics.median(rates["secret"])
    return {
        "runs_per_round": runs,
        "rounds_per_mode": rounds,
        "literal_token_workflows_per_s": round(literal, 1),
        "secret_token_workflows_per_s": round(with_secret, 1),
        "literal_rounds_workflows_per_s": [round(rate, 1) for rate in rates["literal"]],
        "secret_rounds_workflows_per_s": [round(rate, 1) for rate in rates["secret"]],
        "secret_to_literal_ratio": round(with_secret / literal, 3),
    }


async def measure_bounds(address: str, root: Path, runs: int, rounds: int) -> dict[str, Any]:
    """Throughput of the three-step graph compiled with and without the run-time bounds."""
    from core.config import load_settings
    from core.runtime import WorkerHost

    client = await Client.connect(address)
    host = WorkerHost(load_settings({"TEMPORAL_ADDRESS": address, "WB_DATA_DIR": str(root)}))
    try:
        sides = [
            ProductSide(
                address,
                root / "bundles",
                graph=three_activity_graph(f"bench_{name}"),
                host=host,
                name=name,
                bounded=name == "bounded",
            )
            for name in ("bounded", "unbounded")
        ]
        for side in sides:  # one untimed round each (imports, caches)
            await throughput(client, side, runs)
        rates: dict[str, list[float]] = {"bounded": [], "unbounded": []}
        # CPU time of this process (worker host, its Rust core threads, the client) per run:
        # steadier than the rate when other jobs share the cores.
        cpu: dict[str, list[float]] = {"bounded": [], "unbounded": []}
        for r in range(rounds):
            for side in sides if r % 2 == 0 else sides[::-1]:
                before = time.process_time()
                rate = await throughput(client, side, runs)
                cpu[side.name].append((time.process_time() - before) * 1000 / runs)
                rates[side.name].append(rate)
                print(
                    f"{side.name:>9}: {runs} concurrent runs, {rate:6.1f} workflows/s", flush=True
                )
    finally:
        host.close()
    bounded, plain = statistics.median(rates["bounded"]), statistics.median(rates["unbounded"])
    return {
        "runs_per_round": runs,
        "rounds_per_mode": rounds,
        "bounded_workflows_per_s": round(bounded, 1),
        "unbounded_workflows_per_s": round(plain, 1),
        "bounded_rounds_workflows_per_s": [round(rate, 1) for rate in rates["bounded"]],
        "unbounded_rounds_workflows_per_s": [round(rate, 1) for rate in rates["unbounded"]],
        "bounded_to_unbounded_ratio": round(bounded / plain, 3),
        "bounded_cpu_ms_per_workflow": round(statistics.median(cpu["bounded"]), 2),
        "unbounded_cpu_ms_per_workflow": round(statistics.median(cpu["unbounded"]), 2),
        "bounded_to_unbounded_cpu_ratio": round(
            statistics.median(cpu["bounded"]) / statistics.median(cpu["unbounded"]), 3
        ),
    }


def main() -> int:
    """Start the dev server, measure both sides, print the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="concurrent runs per round")
    parser.add_argument("--rounds", type=int, default=5, help="throughput rounds per side")
    parser.add_argument("--sequential", type=int, default=50, help="runs for the latencies")
    parser.add_argument(
        "--monitor", action="store_true", help="measure the run monitor's cost instead"
    )
    parser.add_argument(
        "--secrets", action="store_true", help="measure what resolving secrets costs instead"
    )
    parser.add_argument(
        "--bounds", action="store_true", help="measure what the run-time bounds cost instead"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from core.temporal import EmbeddedTemporalServer

    with tempfile.TemporaryDirectory(prefix="wb-bench-") as scratch:
        root = Path(scratch)
        with EmbeddedTemporalServer(
            log_file=root / "server.log", db_filename=root / "temporal.db"
        ) as server:
            if args.monitor:
                monitor_figures = measure_monitor(server.address, root, args.runs, args.rounds)
            elif args.secrets:
                secret_figures = asyncio.run(
                    measure_secrets(server.address, root, args.runs, args.rounds)
                )
            elif args.bounds:
                bounds_figures = asyncio.run(
                    measure_bounds(server.address, root, args.runs, args.rounds)
                )
            else:
                figures = asyncio.run(
                    measure(
                        server.address, root / "bundles", args.runs, args.rounds, args.sequential
                    )
                )
    if args.monitor:
        print(
            f"monitor  on {monitor_figures['monitor_on_workflows_per_s']} wf/s, off "
            f"{monitor_figures['monitor_off_workflows_per_s']} wf/s (medians), ratio "
            f"{monitor_figures['monitor_on_to_off_ratio']}; mirroring lag p50 "
            f"{monitor_figures['mirroring_lag_p50_ms']} ms, p95 "
            f"{monitor_figures['mirroring_lag_p95_ms']} ms"
        )
        print(json.dumps(monitor_figures), flush=True)
        return 0
    if args.secrets:
        print(
            f"secrets  literal token {secret_figures['literal_token_workflows_per_s']} wf/s, "
            f"secret token {secret_figures['secret_token_workflows_per_s']} wf/s (medians), "
            f"ratio {secret_figures['secret_to_literal_ratio']}"
        )
        print(json.dumps(secret_figures), flush=True)
        return 0
    if args.bounds:
        print(
            f"bounds  with {bounds_figures['bounded_workflows_per_s']} wf/s, without "
            f"{bounds_figures['unbounded_workflows_per_s']} wf/s (medians), ratio "
            f"{bounds_figures['bounded_to_unbounded_ratio']}; worker CPU per run "
            f"{bounds_figures['bounded_cpu_ms_per_workflow']} ms with, "
            f"{bounds_figures['unbounded_cpu_ms_per_workflow']} ms without, ratio "
            f"{bounds_figures['bounded_to_unbounded_cpu_ratio']}"
        )
        print(json.dumps(bounds_figures), flush=True)
        return 0
    print(
        f"throughput  product {figures['product_workflows_per_s']} wf/s, hand-written "
        f"{figures['hand_workflows_per_s']} wf/s (medians), ratio "
        f"{figures['product_to_hand_ratio']}"
    )
    for label, key in (("start p50", "start_p50_ms"), ("start p99", "start_p99_ms")):
        print(
            f"{label:<11} product {figures['product_' + key]} ms, hand {figures['hand_' + key]} ms"
        )
    print(
        f"end-to-end  product {figures['product_end_to_end_p50_ms']} ms p50, "
        f"hand {figures['hand_end_to_end_p50_ms']} ms p50"
    )
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
