"""Benchmark: validate + compile linear and branching graphs of 100, 1,000 and 10,000 nodes.

Run: .venv/bin/python bench/compile.py [--repeat N]. Prints a table, then one JSON line of
figures (milliseconds, best of N runs) such as {"compile_linear_1000_ms": ...}.

Every run is cold: the expression and formatting caches are emptied first, as for a graph
never seen before.

``--bounds`` measures what the run-time bounds cost the compiler instead: each graph compiled
with them (the product) and without (``core.expressions.unbounded()``, which only benchmarks
use), the two interleaved run by run, in CPU time (this process and ruff's); its JSON line has
those figures and their ratios.
The baseline beside each figure is CPython byte-compiling the generated workflow.py
(``compile(source, ...)``): the least any tool turning that graph into runnable code must pay.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.compiler import compile_graph  # noqa: E402
from core.compiler.formatting import clear_format_cache  # noqa: E402
from core.expressions import clear_expression_cache, unbounded  # noqa: E402
from core.graph import Graph, graph_from_dict  # noqa: E402
from core.validation import check  # noqa: E402
from tests.unit.graph_strategies import GraphBuilder  # noqa: E402

SIZES = (100, 1_000, 10_000)
FIELDS = [{"name": "flag", "type": "boolean", "default": True}]


def linear(size: int) -> Graph:
    """start -> (size - 2) steps alternating set_variable and activity -> end."""
    builder = GraphBuilder(name="bench_linear")
    dangling = [(builder.node("start", {"input_fields": FIELDS}, "Start"), "next")]
    for index in range(size - 2):
        if index % 2:
            params = {"activity": "echo", "args": {"value": {"expr": "total"}}}
            node = builder.node("activity", {**params, "result_variable": "echoed"}, "Echo")
        else:
            node = builder.node("set_variable", {"name": "total", "expression": f"{index} + 1"})
        builder.connect(dangling, node)
        dangling = [(node, "next")]
    builder.connect(dangling, builder.node("end", {"result": "total"}, "End"))
    return graph_from_dict(builder.document())


def branching(size: int) -> Graph:
    """A chain of diamonds: condition -> two set_variable arms -> merge, about size nodes."""
    builder = GraphBuilder(name="bench_branching")
    dangling = [(builder.node("start", {"input_fields": FIELDS}, "Start"), "next")]
    for _ in range((size - 2) // 4):
        condition = builder.node("condition", {"expression": "input.flag"}, "If")
        builder.connect(dangling, condition)
        yes = builder.node("set_variable", {"name": "side", "expression": "'yes'"}, "Yes")
        no = builder.node("set_variable", {"name": "side", "expression": "'no'"}, "No")
        builder.connect([(condition, "true")], yes)
        builder.connect([(condition, "false")], no)
        merge = builder.node("set_variable", {"name": "seen", "expression": "side"}, "Merge")
        builder.connect([(yes, "next"), (no, "next")], merge)
        dangling = [(merge, "next")]
    builder.connect(dangling, builder.node("end", {"result": "'done'"}, "End"))
    return graph_from_dict(builder.document())


def best_ms(action: Callable[[Graph], object], graphs: list[Graph]) -> float:
    """The fastest run of ``action`` over the graphs, in milliseconds (least disturbed by load).

    Each run gets its own graph object (a Graph caches its edge indexes on first use) and an
    empty expression cache.
    """
    times = []
    for graph in graphs:
        clear_expression_cache()
        clear_format_cache()
        started = time.perf_counter()
        action(graph)
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def baseline_ms(graph: Graph, repeat: int) -> float:
    """Best time for CPython to byte-compile the workflow.py generated from ``graph``."""
    source = compile_graph(graph).files["workflow.py"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        compile(source, "workflow.py", "exec")
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def compile_unbounded(graph: Graph) -> object:
    """compile_graph without the run-time bounds (what they cost is the difference)."""
    with unbounded():
        return compile_graph(graph)


def cpu_ms(action: Callable[[Graph], object], graph: Graph) -> float:
    """CPU time of one cold run, this process and its ruff processes together, in milliseconds.

    CPU time rather than wall time: on a loaded 2-core machine wall times of the same compile
    vary by 30 %, which would drown a difference of a few percent.
    """
    clear_expression_cache()
    clear_format_cache()
    before = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    action(graph)
    after = time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (after[1].ru_utime + after[1].ru_stime) - (before[1].ru_utime + before[1].ru_stime)
    return (after[0] - before[0] + children) * 1000


def measure_bounds(repeat: int) -> dict[str, float]:
    """CPU time to compile with and without the run-time bounds, best of ``repeat`` interleaved."""
    figures: dict[str, float] = {}
    print(f"{'shape':<10} {'nodes':>7} {'bounded ms':>11} {'unbounded ms':>13} {'ratio':>6}")
    for shape, build in (("linear", linear), ("branching", branching)):
        for size in SIZES:
            times: dict[str, list[float]] = {"bounded": [], "unbounded": []}
            for _ in range(repeat):
                for mode, action in (("bounded", compile_graph), ("unbounded", compile_unbounded)):
                    times[mode].append(cpu_ms(action, build(size)))
            bounded, plain = min(times["bounded"]), min(times["unbounded"])
            figures[f"compile_cpu_{shape}_{size}_ms"] = round(bounded, 1)
            figures[f"compile_cpu_unbounded_{shape}_{size}_ms"] = round(plain, 1)
            figures[f"bounded_to_unbounded_{shape}_{size}_ratio"] = round(bounded / plain, 3)
            nodes = len(build(size).nodes)
            print(f"{shape:<10} {nodes:>7} {bounded:>11.1f} {plain:>13.1f} {bounded / plain:>6.3f}")
    print("CPU ms of compile (this process and its ruff processes), best of the runs")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is kept)")
    parser.add_argument(
        "--bounds", action="store_true", help="compare compiling with and without run-time bounds"
    )
    args = parser.parse_args()
    if args.bounds:
        print(json.dumps(measure_bounds(args.repeat), sort_keys=True))
        return
    figures: dict[str, float] = {}
    print(
        f"{'shape':<10} {'nodes':>7} {'validate ms':>12} {'compile ms':>11} {'ms/node':>8} "
        f"{'baseline ms':>12}"
    )
    for shape, build in (("linear", linear), ("branching", branching)):
        for size in SIZES:
            nodes = len(build(size).nodes)
            validate_ms = best_ms(check, [build(size) for _ in range(args.repeat)])
            compile_ms = best_ms(compile_graph, [build(size) for _ in range(args.repeat)])
            figures[f"validate_{shape}_{size}_ms"] = round(max(validate_ms, 0.0), 1)
            figures[f"compile_{shape}_{size}_ms"] = round(compile_ms, 1)
            python_ms = baseline_ms(build(size), args.repeat)
            figures[f"baseline_python_compile_{shape}_{size}_ms"] = round(python_ms, 1)
            print(
                f"{shape:<10} {nodes:>7} {validate_ms:>12.1f} {compile_ms:>11.1f} "
                f"{compile_ms / nodes:>8.3f} {python_ms:>12.1f}"
            )
    print("compile = validate + generate + ruff format (three concurrent processes)")
    print("baseline = CPython's compile() of the generated workflow.py alone")
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
