"""Parallel for-each: the product's ``parallel_loop`` node versus hand-written temporalio.

Run from the repository root: ``.venv/bin/python bench/fanout.py [--items 200] [--rounds 2]``.

One embedded dev server serves both sides, rounds alternating (ABBA...); each figure is the
median of its rounds. Each run calls one no-op activity per item (a regular one: a round trip
to the server) and returns the results in item order, at most ``limit`` at once, for limits
1, 10 and 50. The product's graph is a ``parallel_loop`` over ``input.items`` whose body is
``echo(item)`` (``local: false``), collected into a list; the hand-written workflow gathers the
same calls under an ``asyncio.Semaphore``. The product's sequential ``loop`` over the same
items is printed as the reference a parallel for-each improves on.
The last line printed is one JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import workflow

# Only stdlib and temporalio at the top: the sandbox re-imports this module for each run of
# the hand-written workflow. `core` and `bench` are imported inside main().
REPO_ROOT = Path(__file__).parents[1]
LIMITS = (1, 10, 50)


@workflow.defn(name="bench_hand_fanout")
class HandFanout:
    """Every item's activity, at most ``limit`` at once, results in item order."""

    @workflow.run
    async def run(self, items: list[Any], limit: int) -> list[Any]:
        slots = asyncio.Semaphore(limit)

        async def one(item: Any) -> Any:
            async with slots:
                return await workflow.execute_activity(
                    "bench_noop", item, start_to_close_timeout=timedelta(minutes=1)
                )

        return list(await asyncio.gather(*[one(item) for item in items]))


def fanout_graph(kind: str, limit: int) -> dict[str, Any]:
    """The product's graph: for each item (``limit`` at once, or a plain loop), echo it."""
    params: dict[str, Any] = {
        "items": "input.items",
        "max_iterations": 10_000,
        "collect": "echoed",
        "result_variable": "results",
    }
    if kind == "parallel_loop":
        params["limit"] = limit
    echo = {"activity": "echo", "args": {"value": {"expr": "item"}}, "local": False}
    echo["result_variable"] = "echoed"
    nodes = [
        {
            "id": "start",
            "type": "start",
            "params": {"input_fields": [{"name": "items", "type": "array", "default": []}]},
        },
        {"id": "each", "type": kind, "params": params},
        {"id": "call", "type": "activity", "params": echo},
        {"id": "end", "type": "end", "params": {"result": "results"}},
    ]
    edges = [
        ("start", "each", "next"),
        ("each", "call", "body"),
        ("call", "each", "next"),
        ("each", "end", "done"),
    ]
    name = f"bench_fanout_{kind}_{limit}"
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "signals": [], "queries": []},
        "nodes": nodes,
        "edges": [
            {"id": f"e{i}", "source": s, "target": t, "handle": h}
            for i, (s, t, h) in enumerate(edges)
        ],
    }


def run_once(sides: Any, side: str, shape: str, items: list[int]) -> float:
    """Seconds from start to result of one run over ``items`` (``sides``: a SideBySide)."""

    async def go() -> float:
        began = time.perf_counter()
        limit = int(shape.rsplit("_", 1)[1])
        handle = await sides.start(
            side, shape, product_input={"items": items}, hand_args=[items, limit]
        )
        result = await handle.result()
        assert result == items, f"{side} {shape} returned {result!r:.80}"
        return time.perf_counter() - began

    return sides.call(go())


def main() -> int:
    """Measure every limit on both sides and the sequential loop; print the table and JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200, help="items per run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per limit")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    from bench.side_by_side import SideBySide
    from bench.throughput import bench_noop
    from core.temporal import EmbeddedTemporalServer

    items = list(range(args.items))
    result: dict[str, Any] = {"items": args.items, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="wb-fanout-") as scratch:
        root = Path(scratch)
        with EmbeddedTemporalServer(
            log_file=root / "server.log", db_filename=root / "temporal.db"
        ) as server:
            shapes = [("parallel_loop", limit) for limit in LIMITS] + [("loop", 1)]
            sides = SideBySide(
                server.address,
                root,
                name="fanout",
                graphs={f"{kind}_{limit}": fanout_graph(kind, limit) for kind, limit in shapes},
                hand_workflow=HandFanout,
                hand_type="bench_hand_fanout",
                hand_activities=[bench_noop],
            )
            try:
                for side in ("product", "hand"):  # warm imports, sandbox and caches
                    run_once(sides, side, "parallel_loop_10", items[:10])
                for limit in LIMITS:
                    shape = f"parallel_loop_{limit}"
                    samples: dict[str, list[float]] = {"product": [], "hand": []}
                    for r in range(args.rounds):  # the order flips each round
                        for side in ("product", "hand") if r % 2 == 0 else ("hand", "product"):
                            samples[side].append(run_once(sides, side, shape, items))
                    for side, runs in samples.items():
                        result[f"limit_{limit}_{side}_s"] = round(statistics.median(runs), 2)
                    result[f"limit_{limit}_product_to_hand_time_ratio"] = round(
                        result[f"limit_{limit}_product_s"] / result[f"limit_{limit}_hand_s"], 3
                    )
                sequential = [
                    run_once(sides, "product", "loop_1", items) for _ in range(args.rounds)
                ]
                result["sequential_loop_product_s"] = round(statistics.median(sequential), 2)
            finally:
                sides.close()
    print(f"{'limit':>5} {'product s':>10} {'hand s':>8} {'product / hand':>15}")
    for limit in LIMITS:
        print(
            f"{limit:>5} {result[f'limit_{limit}_product_s']:>10} "
            f"{result[f'limit_{limit}_hand_s']:>8} "
            f"{result[f'limit_{limit}_product_to_hand_time_ratio']:>15}"
        )
    print(f"sequential for-each (product): {result['sequential_loop_product_s']} s")
    print("target: product / hand-written time <= 1.1 at every limit")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
