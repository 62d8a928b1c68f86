"""Benchmark: import of a 2 MB graph file and validation of a 5,000-node graph, with targets.

Run: .venv/bin/python bench/imports.py [--repeat N]. Prints a table, then one JSON line of
figures (milliseconds, best of N runs) such as {"import_2mb_ms": ...}.

*Import* is ``WorkflowService.import_document`` into a fresh SQLite database: the bounded JSON
reader and its limits, the graph model, the canonical document, the database row. Beside it,
what the input limits take of it (``check_value`` of the parsed document) and the least any
import pays: ``json.loads`` of the text. *Validate* is
``core.validation.validate`` of a 5,000-node graph, cold (expression cache emptied);
beside it the cached draft check a page rerun pays for an unchanged draft, and reading the
same document into the graph model (the least any checker pays).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compile import branching, linear  # noqa: E402
from core.activities import builtin_registry  # noqa: E402
from core.db import Database  # noqa: E402
from core.expressions import clear_expression_cache  # noqa: E402
from core.graph import dump_graph, graph_from_dict, graph_to_dict  # noqa: E402
from core.limits import check_value  # noqa: E402
from core.services.workflows import WorkflowService  # noqa: E402
from core.validation import validate  # noqa: E402

IMPORT_BYTES = 2_000_000
IMPORT_TARGET_MS = 1_000.0
VALIDATE_NODES = 5_000
VALIDATE_TARGET_MS = 250.0


def best_ms(action: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``action``, in milliseconds (least disturbed by load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def cached_check_ms(document: dict[str, Any], repeat: int) -> float:
    """Best time of a draft check of an unchanged draft (its outcome cached by content)."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        service = WorkflowService(database, builtin_registry())
        service.check(document)
        try:
            return best_ms(lambda: service.check(document), repeat)
        finally:
            database.close()


def two_megabyte_file() -> str:
    """A linear graph's file, its descriptions padded to make it at least 2 MB."""
    document = graph_to_dict(linear(4_000))
    text = dump_graph(graph_from_dict(document))
    pad = (IMPORT_BYTES - len(text.encode())) // len(document["nodes"]) + 1
    for node in document["nodes"]:
        node["label"] = f"{node['label']} " + "x" * pad
    return dump_graph(graph_from_dict(document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best is kept)")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    text = two_megabyte_file()
    size_mb = len(text.encode()) / 1e6
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        service = WorkflowService(database, builtin_registry())
        count = iter(range(10**6))

        def import_once() -> Any:
            return service.import_document(text.encode(), name=f"imported_{next(count)}")

        figures["import_2mb_ms"] = best_ms(import_once, args.repeat)
        parsed = json.loads(text)
        figures["limits_2mb_ms"] = best_ms(lambda: check_value(parsed, where=""), args.repeat)
        figures["baseline_json_loads_2mb_ms"] = best_ms(lambda: json.loads(text), args.repeat)
        database.close()
    print(f"import of a {size_mb:.2f} MB graph file ({args.repeat} runs, best)")
    print(f"  {'product (import_document, SQLite)':<44} {figures['import_2mb_ms']:>8.1f} ms")
    limits = figures["limits_2mb_ms"]
    print(f"  {'of which the input limits (check_value)':<44} {limits:>8.1f} ms")
    print(f"  {'baseline json.loads':<44} {figures['baseline_json_loads_2mb_ms']:>8.1f} ms")
    print(f"  target <= {IMPORT_TARGET_MS:.0f} ms: {_verdict(figures['import_2mb_ms'], 1000)}")

    registry = builtin_registry()
    print(f"\nvalidation of {VALIDATE_NODES:,}-node graphs ({args.repeat} runs, best)")
    print(f"  {'shape':<10} {'validate ms':>12} {'cached check ms':>16} {'baseline ms':>12}")
    for shape, build in (("linear", linear), ("branching", branching)):
        graph = build(VALIDATE_NODES)
        document = graph_to_dict(graph)

        def validate_cold(graph: Any = graph) -> Any:
            clear_expression_cache()
            return validate(graph, registry=registry)

        cached = cached_check_ms(document, args.repeat)
        cold = best_ms(validate_cold, args.repeat)
        read = best_ms(functools.partial(graph_from_dict, document), args.repeat)
        figures[f"validate_{shape}_{VALIDATE_NODES}_ms"] = cold
        figures[f"check_cached_{shape}_{VALIDATE_NODES}_ms"] = cached
        figures[f"baseline_read_{shape}_{VALIDATE_NODES}_ms"] = read
        print(f"  {shape:<10} {cold:>12.1f} {cached:>16.1f} {read:>12.1f}")
    worst = max(figures[f"validate_{s}_{VALIDATE_NODES}_ms"] for s in ("linear", "branching"))
    print(f"  target <= {VALIDATE_TARGET_MS:.0f} ms: {_verdict(worst, VALIDATE_TARGET_MS)}")
    print("cached check = a page rerun checking an unchanged draft (digest of its content)")
    print("baseline = reading the same document into the graph model (graph_from_dict)")
    print(json.dumps({key: round(value, 1) for key, value in figures.items()}, sort_keys=True))


def _verdict(figure: float, target: float) -> str:
    return "met" if figure <= target else f"NOT met ({figure / target:.2f}x)"


if __name__ == "__main__":
    main()
