"""Worker fleet costs: time from "start worker" to Temporal seeing it poll, and memory per worker.

Run from the repository root: ``.venv/bin/python bench/workers.py [--starts 10] [--queues 10]``.

An embedded dev server (in memory) and a SQLite registry in a temp folder. Each queue serves its
own deployment of the hello_activity example (its own compiled package), as under the
per-workflow strategy.
  * start to polling: ``WorkerManager.start_queue`` returns once Temporal's pollers show the
    worker's build id for workflow and activity tasks (registry row written, bundle loaded,
    Worker validated and started); then the queue is stopped; ``--starts`` times.
  * memory per queue worker: resident set (VmRSS) before and after starting ``--queues`` more
    queues, after one warm-up queue (so one-time imports are not counted).
  * memory per pool worker: the same for ``scale(q, 1 + --pool)`` (each has its own client).
Baseline, in the same run: the same compiled bundles served by plain temporalio ``Worker``s
started by hand (bench/plain_worker.py) on their own queues, one plain client on the same
server. Start to polling is timed from constructing the Worker until the same poll check
passes, alternating with the product's starts; memory per plain worker is the resident set
before and after loading ``--queues`` more bundles and starting a plain Worker for each.
The table puts the baseline and the ratio product / baseline beside each figure that has one.
The last line printed is one JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.plain_worker import PlainWorkers  # noqa: E402
from core.compiler import COMPILER_VERSION, Bundle, compile_graph  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.db import Database  # noqa: E402
from core.fleet import WorkerManager  # noqa: E402
from core.graph.document import load_graph  # noqa: E402
from core.runtime import BundleStore, LoadedBundle, load_bundle  # noqa: E402
from core.temporal import EmbeddedTemporalServer  # noqa: E402

GRAPH = REPO_ROOT / "examples" / "hello_activity.json"


def rss_mib() -> float:
    """This process's resident set size in MiB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def compile_hello(name: str, task_queue: str) -> tuple[str, Bundle]:
    """The hello_activity graph renamed ``name`` (its text) and compiled for ``task_queue``."""
    text = GRAPH.read_text().replace('"hello_activity"', f'"{name}"')
    return text, compile_graph(load_graph(text), version=1, default_task_queue=task_queue)


def record_deployment(database: Database, store: BundleStore, task_queue: str, n: int) -> None:
    """Record a pending deployment of its own workflow on ``task_queue``, as a deploy would."""
    text, bundle = compile_hello(f"bench_hello_{n}", task_queue)
    stored = store.write(bundle)
    workflow = database.workflows.create(name=f"bench_hello_{n}")
    version = database.versions.create_next(
        workflow.id,
        graph=json.loads(text),
        graph_hash=str(bundle.manifest["graph_hash"]),
        bundle_hash=bundle.digest,
        compiler_version=COMPILER_VERSION,
    )
    database.deployments.create(
        workflow_id=workflow.id,
        version_id=version.id,
        task_queue=task_queue,
        workflow_type=bundle.workflow_type,
        bundle_dir=str(stored.path),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10, help="starts timed (default 10)")
    parser.add_argument("--queues", type=int, default=10, help="extra queues measured")
    parser.add_argument("--pool", type=int, default=3, help="extra pool workers measured")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    with EmbeddedTemporalServer(log_file=folder / "server.log") as server:
        settings = load_settings(
            {
                "TEMPORAL_ADDRESS": server.address,
                "TEMPORAL_NAMESPACE": server.namespace,
                "WB_DATA_DIR": str(folder),
            }
        )
        with Database.open(settings.database_url) as database:
            store = BundleStore(settings.deploy_dir)
            queues = [f"bench-{n}" for n in range(args.queues + 1)]
            for n, queue in enumerate(queues):
                record_deployment(database, store, queue, n)
            # The baseline's own workflows, compiled and written now; loaded when measured.
            plain_queues = [f"plain-{n}" for n in range(args.queues + 1)]
            plain_stored = [
                store.write(compile_hello(f"bench_plain_{n}", queue)[1])
                for n, queue in enumerate(plain_queues)
            ]
            with (
                WorkerManager(
                    settings, database, graceful_shutdown=timedelta(seconds=1)
                ) as manager,
                PlainWorkers(server.address, server.namespace) as plain,
            ):
                # Warm-up: first imports, first bundle load, first Worker.
                manager.start_queue(queues[0])
                manager.stop_queue(queues[0])
                plain_first: LoadedBundle = load_bundle(plain_stored[0])
                plain.start(plain_queues[0], plain_first)
                plain.stop(plain_queues[0])
                # Alternating, so neither side always starts on a busier server.
                starts, plain_starts = [], []
                for _ in range(args.starts):
                    began = time.perf_counter()
                    manager.start_queue(queues[0])
                    starts.append((time.perf_counter() - began) * 1000)
                    manager.stop_queue(queues[0])
                    plain_starts.append(plain.start(plain_queues[0], plain_first))
                    plain.stop(plain_queues[0])

                manager.start_queue(queues[0])
                before = rss_mib()
                for queue in queues[1:]:
                    manager.start_queue(queue)
                time.sleep(1.0)  # let pollers and their buffers settle before reading RSS
                per_queue = (rss_mib() - before) / args.queues

                before = rss_mib()
                manager.scale(queues[0], 1 + args.pool)
                time.sleep(1.0)
                per_pool = (rss_mib() - before) / args.pool
                total = rss_mib()

                # Baseline memory: as for the queue workers, each extra one loads its own bundle.
                plain.start(plain_queues[0], plain_first)
                before = rss_mib()
                for queue, stored in zip(plain_queues[1:], plain_stored[1:], strict=True):
                    plain.start(queue, load_bundle(stored))
                time.sleep(1.0)
                per_plain = (rss_mib() - before) / args.queues

    figures = {
        "start_to_polling_p50_ms": round(statistics.median(starts), 1),
        "start_to_polling_max_ms": round(max(starts), 1),
        "rss_per_queue_worker_mib": round(per_queue, 2),
        "rss_per_pool_worker_mib": round(per_pool, 2),
        "rss_total_mib": round(total, 1),
        "baseline_start_to_polling_p50_ms": round(statistics.median(plain_starts), 1),
        "baseline_start_to_polling_max_ms": round(max(plain_starts), 1),
        "baseline_rss_per_plain_worker_mib": round(per_plain, 2),
    }
    # Product / baseline.
    figures["baseline_ratio_start_to_polling_p50"] = round(
        figures["start_to_polling_p50_ms"] / figures["baseline_start_to_polling_p50_ms"], 2
    )
    figures["baseline_ratio_rss_per_queue_worker"] = round(per_queue / per_plain, 2)
    print(f"{'figure':<28} {'value':>10} {'baseline':>10} {'ratio':>7}")
    print(f"{'starts timed':<28} {args.starts:>10} {args.starts:>10}")
    print(
        f"{'start to polling p50 (ms)':<28} {figures['start_to_polling_p50_ms']:>10} "
        f"{figures['baseline_start_to_polling_p50_ms']:>10} "
        f"{figures['baseline_ratio_start_to_polling_p50']:>7}"
    )
    print(
        f"{'start to polling max (ms)':<28} {figures['start_to_polling_max_ms']:>10} "
        f"{figures['baseline_start_to_polling_max_ms']:>10}"
    )
    print(
        f"{'RSS per queue worker (MiB)':<28} {figures['rss_per_queue_worker_mib']:>10} "
        f"{figures['baseline_rss_per_plain_worker_mib']:>10} "
        f"{figures['baseline_ratio_rss_per_queue_worker']:>7}"
    )
    print(f"{'RSS per pool worker (MiB)':<28} {figures['rss_per_pool_worker_mib']:>10}")
    print(f"{'RSS total (MiB)':<28} {figures['rss_total_mib']:>10}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
