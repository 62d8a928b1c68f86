"""Deploy latency: from "deploy" to the new version polling on its task queue, over N deploys.

Run from the repository root: ``.venv/bin/python bench/deploy.py [--deploys 20]``.

An embedded dev server (in memory), a SQLite database and a deploy folder in a temp folder, one
``WorkerManager``. Each deploy changes the hello_activity graph (the greeting's label), so each
creates a new version: validate, compile, write, import, create the version and the pending
deployment, ``apply_queue`` (returns once Temporal's pollers show the new build id for workflow
and activity tasks), activate. ``DeployService.deploy`` returning is the end of the clock.
Between deploys (untimed) the previous version, which has no runs, is retired and unloaded, as
the deploy page's listing does. The table gives p50/p95 of the total and of each step. The last
line printed is one JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from core.activities import builtin_registry  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.db import Database  # noqa: E402
from core.deploy import DeployService  # noqa: E402
from core.fleet import WorkerManager  # noqa: E402
from core.temporal import EmbeddedTemporalServer  # noqa: E402

GRAPH = REPO_ROOT / "examples" / "hello_activity.json"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, round(fraction * len(ordered) + 0.5) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploys", type=int, default=20, help="deploys timed (default 20)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    totals: list[float] = []
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="wb-bench-deploy-") as scratch:
        root = Path(scratch)
        with EmbeddedTemporalServer(log_file=root / "server.log") as server:
            settings = dataclasses.replace(
                load_settings({"WB_DATA_DIR": str(root), "TEMPORAL_ADDRESS": server.address}),
                default_task_queue="bench-deploy",
            )
            database = Database.open(settings.database_url)
            registry = builtin_registry()
            with WorkerManager(settings, database, registry=registry) as manager:
                service = DeployService(database, manager, registry, settings)
                document = json.loads(GRAPH.read_text())
                document["workflow"]["name"] = "bench_deploy"
                workflow = database.workflows.create(name="bench_deploy", graph=document)
                for n in range(1, args.deploys + 1):
                    greet = next(node for node in document["nodes"] if node["id"] == "greet")
                    greet["label"] = f"Greet {n}"
                    database.workflows.save_draft(workflow.id, document)
                    began = time.perf_counter()
                    result = service.deploy(workflow.id)
                    totals.append((time.perf_counter() - began) * 1000)
                    assert result.version.version == n, result
                    for step in result.steps:
                        steps.setdefault(step.name, []).append(step.elapsed * 1000)
                    service.retire_drained()
            database.close()
    print(f"{'step':<10} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in [*steps.items(), ("total", totals)]:
        print(f"{name:<10} {percentile(values, 0.5):>8.1f} {percentile(values, 0.95):>8.1f}")
    figures = {
        "deploys": len(totals),
        "deploy_p50_ms": round(percentile(totals, 0.5), 1),
        "deploy_p95_ms": round(percentile(totals, 0.95), 1),
        "deploy_mean_ms": round(statistics.fmean(totals), 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
