"""Runs console: the Runs page's queries over 100,000 run records, and a 1,000-event run page.

Run from the repository root: ``.venv/bin/python bench/runs.py [--records 100000]
[--postgres URL]``.

List: 100,000 execution records (20 workflows, 1-5 versions each, start times spread over 30
days, statuses and triggers mixed in realistic shares) are inserted in bulk into a fresh SQLite
file and a fresh PostgreSQL database (``--postgres URL``, else a throwaway cluster started with
scripts/start_postgres.sh; without PostgreSQL installed that half is reported as skipped). Then,
for three views of the Runs page, the server side of one page view is timed exactly as
pages/runs.py asks it through ``RunsConsole.counts`` (per status, status filter left out) and
``RunsConsole.page`` (first page of 25 by start time, newest first, with its total), i.e.
``db.executions.count_by_status`` plus ``db.executions.find``. Beside it,
in the same run, the same page by hand: plain ``text()`` SQL on the same engine, one
``GROUP BY status`` for the counts (the total is summed from it) and one ``ORDER BY start_time
DESC, id DESC LIMIT 25`` for the rows. Each figure is the median of ``--repeat`` timings after
two untimed warm-ups. Views: unfiltered; status = failed; one workflow.

Run page: a for-each run over enough items for a 1,000-event history, deployed and run through
the app's services on an embedded dev server, then ``RunsConsole.detail`` (describe, history
fetch, replay against the version's code, trace over the graph, record refresh) timed the same
way (its first, cold call reported apart).

The last line printed is one JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import logging
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import insert, text  # noqa: E402

from core.db import (  # noqa: E402
    Database,
    ExecutionFilter,
    ExecutionStatus,
)
from core.db.models import ExecutionRow  # noqa: E402

WORKFLOWS = 20
PAGE_SIZE = 25
TARGET_PAGE_MS = 200.0
TARGET_RATIO = 3.0
TARGET_DETAIL_MS = 500.0
STATUS_SHARES = {
    "completed": 0.72,
    "failed": 0.09,
    "running": 0.06,
    "canceled": 0.05,
    "terminated": 0.04,
    "timed_out": 0.02,
    "continued_as_new": 0.02,
}
TRIGGER_SHARES = {"manual": 0.45, "schedule": 0.35, "child": 0.15, "external": 0.05}


# Records -------------------------------------------------------------------------------------


def make_records(count: int, definition_ids: list[int], names: list[str]) -> Iterator[dict]:
    """``count`` execution rows as the run monitor would have written them."""
    rng = random.Random(10)
    now = datetime.now(UTC)
    statuses, status_weights = zip(*STATUS_SHARES.items(), strict=True)
    triggers, trigger_weights = zip(*TRIGGER_SHARES.items(), strict=True)
    # Some workflows run far more often than others (a few cron jobs dominate).
    workflow_weights = [1 / (rank + 1) for rank in range(len(names))]
    versions = [rng.randint(1, 5) for _ in names]
    for i in range(count):
        w = rng.choices(range(len(names)), workflow_weights)[0]
        status = rng.choices(statuses, status_weights)[0]
        if status == "running":  # open runs are mostly recent
            start = now - timedelta(seconds=rng.expovariate(1 / 3600))
        else:
            start = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
        version = rng.randint(max(1, versions[w] - 1), versions[w])
        failed = status == "failed"
        yield {
            "workflow_id": f"{names[w]}-{i:08x}",
            "run_id": f"{rng.getrandbits(128):032x}",
            "workflow_type": f"{names[w]}_v{version}",
            "definition_id": definition_ids[w],
            "version": version,
            "task_queue": f"workflow-builder-{names[w]}",
            "status": status,
            "trigger": rng.choices(triggers, trigger_weights)[0],
            "start_time": start,
            "close_time": None
            if status == "running"
            else start + timedelta(seconds=rng.uniform(0.1, 600)),
            "history_length": rng.randint(11, 400),
            "parent_workflow_id": None,
            "parent_run_id": None,
            "input_preview": json.dumps({"order": i, "customer": f"c{i % 997}"}),
            "result_preview": None if failed or status == "running" else json.dumps({"ok": True}),
            "error": "ApplicationError: card declined" if failed else None,
            "failed_node_id": "charge" if failed else None,
            "failed_node_label": "Charge card" if failed else None,
            "details_synced": status != "running",
        }


def fill(database: Database, count: int) -> dict[str, int]:
    """Create the workflows and insert ``count`` records in bulk; return name -> workflow id."""
    names = [f"bench_flow_{i:02d}" for i in range(WORKFLOWS)]
    ids = [database.workflows.create(name=name).id for name in names]
    rows = make_records(count, ids, names)
    began = time.perf_counter()
    with database.engine.begin() as connection:
        while batch := [row for _, row in zip(range(5000), rows, strict=False)]:
            connection.execute(insert(ExecutionRow.__table__), batch)
    with database.engine.begin() as connection:
        # Statistics as a live database would have them (autovacuum, or SQLite's optimize).
        connection.execute(text("ANALYZE"))
    print(f"  inserted {count:,} records in {time.perf_counter() - began:.1f} s", flush=True)
    return dict(zip(names, ids, strict=True))


# Timing --------------------------------------------------------------------------------------


def median_ms(action: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``action`` in ms, after two untimed warm-ups."""
    for _ in range(2):
        action()
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def product_view(database: Database, filters: ExecutionFilter) -> Callable[[], Any]:
    """The Runs page's server side for ``filters``: counts per status, then the first page.

    These are the calls ``RunsConsole.counts`` and ``RunsConsole.page`` make, without the
    Temporal side the console also holds.
    """

    def view() -> Any:
        counts = database.executions.count_by_status(dataclasses.replace(filters, statuses=None))
        page = database.executions.find(filters, limit=PAGE_SIZE, offset=0)
        assert len(page.items) == min(PAGE_SIZE, page.total)
        return counts, page

    return view


def hand_view(
    database: Database, where: str, counts_where: str, params: dict[str, Any]
) -> Callable[[], Any]:
    """The same page in hand-written SQL: counts per status, then the rows."""
    counts_sql = text(
        f"SELECT status, count(*) FROM workflow_executions WHERE {counts_where} GROUP BY status"
    )
    rows_sql = text(
        f"SELECT * FROM workflow_executions WHERE {where} "
        f"ORDER BY start_time DESC, id DESC LIMIT {PAGE_SIZE}"
    )

    def view() -> Any:
        with database.engine.connect() as connection:
            counts = dict(connection.execute(counts_sql, params).all())
            rows = connection.execute(rows_sql, params).all()
        wanted = params.get("status")
        total = counts.get(wanted, 0) if wanted else sum(counts.values())
        assert len(rows) == min(PAGE_SIZE, total)
        return counts, rows

    return view


def measure_list(url: str, label: str, count: int, repeat: int) -> dict[str, Any]:
    """Fill a database at ``url`` and time the three views against their hand-written SQL."""
    print(f"{label}: filling", flush=True)
    database = Database.open(url)
    try:
        ids = fill(database, count)
        busiest = ids["bench_flow_03"]  # a mid-sized workflow (~8% of the runs)
        views = {
            "first_page": (ExecutionFilter(), "1=1", "1=1", {}),
            "status_failed": (
                ExecutionFilter(statuses=(ExecutionStatus.FAILED,)),
                "status = :status",
                "1=1",
                {"status": "failed"},
            ),
            "workflow": (
                ExecutionFilter(definition_id=busiest),
                "definition_id = :definition_id",
                "definition_id = :definition_id",
                {"definition_id": busiest},
            ),
        }
        figures: dict[str, Any] = {}
        for name, (filters, where, counts_where, params) in views.items():
            product = median_ms(product_view(database, filters), repeat)
            hand = median_ms(hand_view(database, where, counts_where, params), repeat)
            figures[f"{label}_{name}_ms"] = round(product, 2)
            figures[f"{label}_{name}_hand_ms"] = round(hand, 2)
            figures[f"{label}_{name}_ratio"] = round(product / hand, 2)
            verdict = (
                "met" if product <= TARGET_PAGE_MS and product / hand <= TARGET_RATIO else "MISSED"
            )
            print(
                f"  {name:<14} product {product:7.2f} ms   hand-written {hand:7.2f} ms   "
                f"ratio {product / hand:5.2f}   ({verdict})",
                flush=True,
            )
        return figures
    finally:
        database.close()


@contextmanager
def postgres(url: str | None) -> Iterator[str | None]:
    """``url``, else a throwaway cluster's URL, else None when PostgreSQL is not installed."""
    if url:
        yield url
        return
    script = REPO_ROOT / "scripts" / "start_postgres.sh"
    # A folder of its own like ./wb's: the script hands it to the postgres user, who could
    # not reach it inside the scratch folder.
    folder = Path(tempfile.mkdtemp(prefix="wb-bench-postgres-"))
    started = subprocess.run([script, "start", str(folder)], capture_output=True, text=True)
    if started.returncode != 0:
        print(f"postgresql: not available ({started.stderr.strip().splitlines()[-1]})")
        subprocess.run([script, "stop", str(folder)], check=False)
        yield None
        return
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([script, "stop", str(folder)], check=False)


# Run page ------------------------------------------------------------------------------------


def foreach_graph(items: int) -> dict[str, Any]:
    """examples/foreach_loop.json, allowed ``items`` iterations."""
    document = json.loads((REPO_ROOT / "examples" / "foreach_loop.json").read_text())
    document = copy.deepcopy(document)
    document["workflow"]["name"] = "bench_foreach"
    for node in document["nodes"]:
        if node["type"] == "loop":
            node["params"]["max_iterations"] = items
    return document


def measure_detail(scratch: Path, items: int, repeat: int) -> dict[str, Any]:
    """Run a for-each over ``items`` items and time its run page's server side."""
    from core.config import load_settings
    from core.services import build_services
    from core.temporal import EmbeddedTemporalServer

    with EmbeddedTemporalServer(log_file=scratch / "temporal.log") as server:
        settings = load_settings(
            {
                "TEMPORAL_ADDRESS": server.address,
                "TEMPORAL_NAMESPACE": server.namespace,
                "WB_DATA_DIR": str(scratch / "app"),
                "WB_DEFAULT_TASK_QUEUE": "bench-runs",
            }
        )
        services = build_services(settings)
        try:
            workflow = services.workflows.create(name="bench_foreach")
            services.workflows.save_draft(workflow.id, foreach_graph(items))
            services.deploy.deploy(workflow.id)
            ref = services.runs.start(workflow.id, {"items": [f"item {i}" for i in range(items)]})
            state = services.runs.wait(ref, timeout=300)
            assert state.status is ExecutionStatus.COMPLETED, state.error
            began = time.perf_counter()
            detail = services.console.detail(ref.workflow_id, ref.run_id)
            cold = (time.perf_counter() - began) * 1000
            assert detail.trace.exact and detail.trace.nodes["shout"].visits == items
            warm = median_ms(lambda: services.console.detail(ref.workflow_id, ref.run_id), repeat)
            events = detail.trace.event_count
        finally:
            services.close()
    verdict = "met" if warm <= TARGET_DETAIL_MS else "MISSED"
    print(
        f"run page: {events} events, detail {warm:.1f} ms (median), first call {cold:.1f} ms "
        f"({verdict})",
        flush=True,
    )
    return {
        "detail_history_events": events,
        "detail_ms": round(warm, 1),
        "detail_first_call_ms": round(cold, 1),
    }


def main() -> int:
    """Measure both databases and the run page; print the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="execution records")
    parser.add_argument("--repeat", type=int, default=15, help="timings per figure (median)")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database to use")
    parser.add_argument("--items", type=int, default=167, help="for-each items (~6 events each)")
    parser.add_argument("--detail-repeat", type=int, default=9, help="run page timings")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, Any] = {"records": args.records, "page_size": PAGE_SIZE}
    with tempfile.TemporaryDirectory(prefix="wb-bench-runs-") as folder:
        scratch = Path(folder)
        url = f"sqlite:///{scratch / 'runs.db'}"
        figures |= measure_list(url, "sqlite", args.records, args.repeat)
        with postgres(args.postgres) as pg_url:
            if pg_url is None:
                figures["postgresql"] = "not available"
            else:
                figures |= measure_list(pg_url, "postgresql", args.records, args.repeat)
        figures |= measure_detail(scratch, args.items, args.detail_repeat)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
