"""Deploy latency: from "deploy" to the new version polling on its task queue, over N deploys.

Run from the repository root: ``.venv/bin/python bench/deploy.py [--deploys 20]``.

An embedded dev server (in memory), a SQLite database and a deploy folder in a temp folder, one
``WorkerManager``. Each deploy changes the hello_activity graph (the greeting's label), so each
creates a new version: validate, compile, write, import, create the version and the pending
deployment, ``apply_queue`` (returns once Temporal's pollers show the new build id for workflow
and activity tasks), activate. ``DeployService.deploy`` returning is the end of the clock.
Between deploys (untimed) the previous version, which has no runs, is retired and unloaded, as
the deploy page's listing does. The table gives p50/p95 of the total and of each step.
Baseline, in the same run: the part of a deploy no tool can skip, done by hand with plain
temporalio (bench/plain_worker.py). Compiling is not part of it: after each deploy (untimed
until then) the bundle just deployed is loaded and a plain ``Worker`` for it is started on a
queue of its own, one plain client on the same server, timed from constructing the Worker
until Temporal reports it polling (the fleet's poll check), then stopped. The table puts its
p50/p95 and the ratio deploy / baseline beside the total. The last line printed is one JSON
object of the figures, each named with its unit.
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

from bench.plain_worker import PlainWorkers  # noqa: E402
from core.activities import builtin_registry  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.db import Database  # noqa: E402
from core.deploy import DeployService  # noqa: E402
from core.fleet import WorkerManager  # noqa: E402
from core.runtime import BundleStore, load_bundle, read_bundle  # noqa: E402
from core.temporal import EmbeddedTemporalServer  # noqa: E402

GRAPH = REPO_ROOT / "examples" / "hello_activity.json"
PLAIN_QUEUE = "bench-deploy-plain"


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
    plain_starts: list[float] = []
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
            with (
                WorkerManager(settings, database, registry=registry) as manager,
                PlainWorkers(server.address, settings.temporal_namespace) as plain,
            ):
                store = BundleStore(settings.deploy_dir)
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
                    # Baseline: the same bundle, already imported by the deploy, by hand.
                    deployed = read_bundle(Path(result.deployment.bundle_dir))
                    plain_starts.append(
                        plain.start(PLAIN_QUEUE, load_bundle(store.write(deployed)))
                    )
                    plain.stop(PLAIN_QUEUE)
            database.close()
    figures = {
        "deploys": len(totals),
        "deploy_p50_ms": round(percentile(totals, 0.5), 1),
        "deploy_p95_ms": round(percentile(totals, 0.95), 1),
        "deploy_mean_ms": round(statistics.fmean(totals), 1),
        "baseline_plain_worker_to_polling_p50_ms": round(percentile(plain_starts, 0.5), 1),
        "baseline_plain_worker_to_polling_p95_ms": round(percentile(plain_starts, 0.95), 1),
        "baseline_plain_worker_to_polling_mean_ms": round(statistics.fmean(plain_starts), 1),
    }
    # Deploy / baseline.
    figures["baseline_ratio_deploy_p50"] = round(
        figures["deploy_p50_ms"] / figures["baseline_plain_worker_to_polling_p50_ms"], 2
    )
    figures["baseline_ratio_deploy_p95"] = round(
        figures["deploy_p95_ms"] / figures["baseline_plain_worker_to_polling_p95_ms"], 2
    )
    print(f"{'step':<10} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in [*steps.items(), ("total", totals)]:
        print(f"{name:<10} {percentile(values, 0.5):>8.1f} {percentile(values, 0.95):>8.1f}")
    print(
        f"{'baseline':<10} {figures['baseline_plain_worker_to_polling_p50_ms']:>8.1f} "
        f"{figures['baseline_plain_worker_to_polling_p95_ms']:>8.1f}"
        "  (plain Worker for the same bundle, start to polling)"
    )
    print(
        f"{'ratio':<10} {figures['baseline_ratio_deploy_p50']:>8.2f} "
        f"{figures['baseline_ratio_deploy_p95']:>8.2f}  (total / baseline)"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
