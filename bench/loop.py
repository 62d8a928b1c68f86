"""A 10,000-iteration while loop: the product's ``while_loop`` node versus hand-written temporalio.

Run from the repository root: ``.venv/bin/python bench/loop.py [--iterations 10000] [--rounds 2]``.

One embedded dev server serves both sides, rounds alternating (ABBA...) so neither always runs
on a warmer server; each side's figure is the median of its rounds. Two bodies:
  * activity (the target): each iteration runs one no-op activity (a regular one: a round trip
    to the server, as a polling or batch loop does). The product's graph is ``count = 0``;
    ``while count < input.n``: ``echo(count)`` (``local: false``), ``count = count + 1``,
    compiled by ``core.compiler`` and served by a ``WorkerHost``. The hand-written workflow
    does the same calls and, like the product, continues as new when Temporal suggests it or
    its history reaches 10,000 events, carrying the count (10,000 activities make about 60,000
    events: one history cannot hold them).
  * set_variable: the body only adds one to a variable. The hand-written loop never pauses (it
    knows its body); the product's loop pauses when it ran its budget within one workflow task
    (a local activity that measures the loop's pace and sizes the next stretch to a tenth of a
    second: 100, 1,000, 10,000... iterations), the guard against Temporal's deadlock detector
    that every loop of a graph has.
The last line printed is one JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow
from temporalio.client import Client

# Only stdlib and temporalio at the top: the sandbox re-imports this module for each run of
# the hand-written workflow. `core` is imported inside main().
REPO_ROOT = Path(__file__).parents[1]
HISTORY_LIMIT = 10_000


@workflow.defn(name="bench_hand_loop")
class HandLoop:
    """``while count < n``: one activity (or nothing), count + 1; continue as new when due."""

    @workflow.run
    async def run(self, n: int, body: str, count: int = 0) -> int:
        while count < n:
            info = workflow.info()
            if (
                info.is_continue_as_new_suggested()
                or info.get_current_history_length() >= HISTORY_LIMIT
            ):
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(args=[n, body, count])
            if body == "activity":
                await workflow.execute_activity(
                    "bench_noop", count, start_to_close_timeout=timedelta(minutes=1)
                )
            count += 1
        return count


def loop_graph(body: str) -> dict[str, Any]:
    """The product's graph: count = 0; while count < input.n: [echo(count)], count + 1."""
    nodes: list[dict[str, Any]] = [
        {
            "id": "start",
            "type": "start",
            "params": {"input_fields": [{"name": "n", "type": "integer", "default": 10}]},
        },
        {"id": "zero", "type": "set_variable", "params": {"name": "count", "expression": "0"}},
        {
            "id": "spin",
            "type": "while_loop",
            "params": {"condition": "count < input.n", "max_iterations": 1_000_000},
        },
        {
            "id": "add",
            "type": "set_variable",
            "params": {"name": "count", "expression": "count + 1"},
        },
        {"id": "end", "type": "end", "params": {"result": "count"}},
    ]
    edges = [("start", "zero"), ("zero", "spin"), ("add", "spin")]
    if body == "activity":
        echo = {"activity": "echo", "args": {"value": {"expr": "count"}}, "local": False}
        nodes.append({"id": "call", "type": "activity", "params": echo})
        edges += [("spin", "call", "body"), ("call", "add")]
    else:
        edges.append(("spin", "add", "body"))
    edges.append(("spin", "end", "done"))
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": f"bench_loop_{body}", "signals": [], "queries": []},
        "nodes": nodes,
        "edges": [
            {
                "id": f"e{i}",
                "source": e[0],
                "target": e[1],
                "handle": e[2] if len(e) > 2 else "next",
            }
            for i, e in enumerate(edges)
        ],
    }


async def chain_runs(client: Client, workflow_id: str) -> int:
    """How many runs the workflow id's continue-as-new chain has."""
    runs = 0
    async for _ in client.list_workflows(f"WorkflowId = '{workflow_id}'"):
        runs += 1
    return runs


def run_once(sides: Any, side: str, body: str, n: int) -> tuple[float, int]:
    """One run of ``n`` iterations: seconds from start to result, runs in its chain
    (``sides``: a SideBySide)."""

    async def go() -> tuple[float, int]:
        began = time.perf_counter()
        handle = await sides.start(side, body, product_input={"n": n}, hand_args=[n, body])
        result = await handle.result()
        seconds = time.perf_counter() - began
        assert result == n, f"{side} {body} returned {result!r}"
        return seconds, await chain_runs(sides.host.client, handle.id)

    return sides.call(go())


def alternate(sides: dict[str, Callable[[], tuple[float, int]]], rounds: int) -> dict[str, list]:
    """Call each side ``rounds`` times, the order flipping each round."""
    samples: dict[str, list] = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            samples[name].append(sides[name]())
    return samples


def main() -> int:
    """Measure both bodies on both sides, print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10_000, help="iterations per run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per body")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from bench.side_by_side import SideBySide
    from bench.throughput import bench_noop
    from core.temporal import EmbeddedTemporalServer

    n = args.iterations
    result: dict[str, Any] = {"iterations": n, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="wb-loop-") as scratch:
        root = Path(scratch)
        with EmbeddedTemporalServer(
            log_file=root / "server.log", db_filename=root / "temporal.db"
        ) as server:
            sides = SideBySide(
                server.address,
                root,
                name="loop",
                graphs={body: loop_graph(body) for body in ("activity", "set_variable")},
                hand_workflow=HandLoop,
                hand_type="bench_hand_loop",
                hand_activities=[bench_noop],
            )
            try:
                for body in ("activity", "set_variable"):
                    for side in ("product", "hand"):  # warm imports, sandbox and caches
                        run_once(sides, side, body, 10)
                    samples = alternate(
                        {
                            side: (lambda side=side, body=body: run_once(sides, side, body, n))
                            for side in ("product", "hand")
                        },
                        args.rounds,
                    )
                    for side, runs in samples.items():
                        seconds = statistics.median(s for s, _ in runs)
                        result[f"{body}_{side}_s"] = round(seconds, 2)
                        result[f"{body}_{side}_iterations_per_s"] = round(n / seconds, 1)
                        result[f"{body}_{side}_runs_in_chain"] = max(c for _, c in runs)
                    result[f"{body}_product_to_hand_ratio"] = round(
                        result[f"{body}_product_iterations_per_s"]
                        / result[f"{body}_hand_iterations_per_s"],
                        3,
                    )
            finally:
                sides.close()
    print(f"{'body':<14} {'side':<8} {'seconds':>8} {'iter/s':>9} {'runs':>5}")
    for body in ("activity", "set_variable"):
        for side in ("product", "hand"):
            print(
                f"{body:<14} {side:<8} {result[f'{body}_{side}_s']:>8} "
                f"{result[f'{body}_{side}_iterations_per_s']:>9} "
                f"{result[f'{body}_{side}_runs_in_chain']:>5}"
            )
        print(
            f"{body}: product / hand-written throughput {result[f'{body}_product_to_hand_ratio']}"
        )
    print("target: product / hand-written >= 0.9")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
