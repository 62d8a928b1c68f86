"""Dashboard: the Home page's server side over 100,000 run records spread over 30 days.

Run from the repository root: ``.venv/bin/python bench/dashboard.py [--records 100000]
[--postgres URL]``.

The records are bench/runs.py's (20 workflows, statuses and triggers in realistic shares, start
times over 30 days), inserted in bulk into a fresh SQLite file and a fresh PostgreSQL database
(``--postgres URL``, else a throwaway cluster from scripts/start_postgres.sh), plus the per-step
figures the run monitor keeps (``run_steps``: three steps, one of them retried now and then)
for ``--step-share`` of the closed runs, and 30 registered workers with heartbeat figures.

Product: every database call pages/home.py makes for "Last 30 days", all workflows, timed as
one page view: ``has_deployments``, ``has_runs``, the workflow list of the filter, then
``DashboardService`` ``tiles`` (this period and the one before), ``runs_over_time``,
``durations``, ``failure_rates``, ``failing_steps``, ``retries``, ``workers_over_time`` and
``workers``. Temporal's parts (queue loads, schedules) are left out: they are RPCs, not the
database. Hand-written: the same aggregate queries as plain ``text()`` SQL on the same engine,
rows fetched and nothing else done with them. Each figure is the median of ``--repeat``
timings after two untimed warm-ups.

The last line printed is one JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
# The repository root, so that `core` and `bench.runs` import when run as a script.
sys.path[0] = str(REPO_ROOT)

from sqlalchemy import insert, select, text  # noqa: E402

from bench.runs import fill, median_ms, postgres  # noqa: E402
from core.dashboard import DashboardService, Period, Window  # noqa: E402
from core.db import Database, ExecutionStatus, WorkerStatus  # noqa: E402
from core.db.models import ExecutionRow, RunStepRow  # noqa: E402

TARGET_MS = 500.0
TARGET_RATIO = 3.0
WORKERS = 30
FAILED = "('failed', 'timed_out', 'terminated')"
# Per dialect: seconds since the epoch of a timestamp, and seconds between two.
EPOCH = {
    "sqlite": "((julianday({0}) - 2440587.5) * 86400.0)",
    "postgresql": "EXTRACT(EPOCH FROM {0})",
}
BETWEEN = {
    "sqlite": "((julianday({1}) - julianday({0})) * 86400.0)",
    "postgresql": "EXTRACT(EPOCH FROM ({1} - {0}))",
}


def add_steps(database: Database, share: float) -> int:
    """Step figures for ``share`` of the closed runs, as the run monitor writes them."""
    rng = random.Random(11)
    with database.engine.connect() as connection:
        closed = connection.execute(
            select(ExecutionRow.id).where(ExecutionRow.close_time.is_not(None))
        ).scalars()
        chosen = [execution for execution in closed if rng.random() < share]
    rows = []
    for execution in chosen:
        attempts = rng.choices((1, 2, 3), (0.8, 0.15, 0.05))[0]
        rows += [
            {"execution_id": execution, "node_id": "greet", "visits": 1, "calls": 1}
            | {"attempts": 1, "failed": False, "seconds": rng.uniform(0.01, 0.2)},
            {"execution_id": execution, "node_id": "charge", "visits": 1, "calls": 1}
            | {"attempts": attempts, "failed": False, "seconds": rng.uniform(0.05, 2.0)},
            {"execution_id": execution, "node_id": "check", "visits": 1, "calls": 0}
            | {"attempts": 0, "failed": False, "seconds": None},
        ]
    with database.engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(RunStepRow.__table__), rows[start : start + 5000])
        connection.execute(text("ANALYZE"))
    return len(rows)


def add_workers(database: Database) -> None:
    """Registered workers with heartbeat figures, a few of them lost."""
    for n in range(WORKERS):
        worker_id = f"bench-worker-{n:02d}"
        database.workers.register(worker_id=worker_id, task_queue=f"queue-{n % 10}", host="h")
        database.workers.set_status(worker_id, WorkerStatus.RUNNING)
        resources = {"cpu_percent": 3.5, "rss_bytes": 150_000_000, "uptime_seconds": 3600.0}
        database.workers.heartbeat(worker_id, resources=resources)
        if n % 10 == 9:
            database.workers.set_status(worker_id, WorkerStatus.FAILED, error="lost")


def product_view(database: Database, window: Window) -> Callable[[], Any]:
    """What pages/home.py asks the database for one view of the period, all workflows (a
    new service per view, as the page takes one, so nothing is remembered between views)."""

    def view() -> Any:
        service = DashboardService(database)
        service.has_deployments()
        assert service.has_runs()
        database.workflows.find()
        tiles = service.tiles(window)
        counts = service.runs_over_time(window)
        points = service.durations(window)
        rates = service.failure_rates(window)
        steps = service.failing_steps(window)
        retries = service.retries(window)
        workers = service.workers_over_time(window), service.workers()
        assert tiles[0].value and counts and points and rates and steps and retries
        return tiles, counts, points, rates, steps, retries, workers

    return view


def hand_view(database: Database, window: Window) -> Callable[[], Any]:
    """The same aggregates as hand-written SQL, rows fetched and left as they are."""
    dialect = database.engine.dialect.name
    epoch = EPOCH[dialect].format("start_time")
    seconds = BETWEEN[dialect].format("start_time", "close_time")
    in_scope = "start_time >= :start AND start_time < :end"
    slot = f"CAST(floor({epoch} / :size) AS INTEGER)"
    closed = "close_time IS NOT NULL AND status != 'continued_as_new'"
    queries = [
        "SELECT id FROM workflow_deployments WHERE status = 'active' LIMIT 1",
        "SELECT id FROM workflow_executions LIMIT 1",
        "SELECT id, name, draft_graph FROM workflows WHERE deleted_at IS NULL ORDER BY name",
        "SELECT * FROM workflow_workers",
        "SELECT count(*) FROM workflow_executions WHERE status = 'running'",
        f"SELECT {slot}, status, count(*) FROM workflow_executions WHERE {in_scope} "
        "GROUP BY 1, status ORDER BY 1",
        f"SELECT definition_id, {slot}, {seconds} FROM workflow_executions "
        f"WHERE {in_scope} AND {closed}",
        f"SELECT definition_id, count(*), sum(CASE WHEN status IN {FAILED} THEN 1 ELSE 0 END) "
        f"FROM workflow_executions WHERE {in_scope} GROUP BY definition_id "
        "ORDER BY count(*) DESC",
        "SELECT definition_id, failed_node_id, max(failed_node_label), "
        "substr(coalesce(error, ''), 1, 160) AS message, count(*), max(close_time) "
        f"FROM workflow_executions WHERE {in_scope} AND status IN {FAILED} "
        "GROUP BY definition_id, failed_node_id, message ORDER BY count(*) DESC LIMIT 10",
        "SELECT e.definition_id, s.node_id, count(*), sum(s.calls), sum(s.attempts), "
        "sum(CASE WHEN s.failed THEN 1 ELSE 0 END), sum(coalesce(s.seconds, 0.0)) "
        "FROM run_steps s JOIN workflow_executions e ON e.id = s.execution_id "
        "WHERE e.start_time >= :start AND e.start_time < :end "
        "GROUP BY e.definition_id, s.node_id "
        "ORDER BY sum(s.attempts) - sum(s.calls) DESC, s.node_id",
    ]
    # The previous period's headline (counts and durations) for the tiles' comparison; this
    # period's come from the queries above, as the product reuses them.
    before = window.previous()
    statements = [(text(sql), window) for sql in queries] + [
        (text(queries[6]), before),
        (text(queries[7]), before),
    ]

    def view() -> Any:
        found = []
        with database.engine.connect() as connection:
            for statement, scope in statements:
                params = {"start": scope.start, "end": scope.end}
                if ":size" in str(statement):
                    params["size"] = window.bucket.total_seconds()
                found.append(connection.execute(statement, params).all())
        assert found[5] and found[6]
        return found

    return view


def measure(url: str, label: str, count: int, share: float, repeat: int) -> dict[str, Any]:
    """Fill a database at ``url`` and time one dashboard view against its hand-written SQL."""
    print(f"{label}: filling", flush=True)
    database = Database.open(url)
    try:
        fill(database, count)
        steps = add_steps(database, share)
        add_workers(database)
        print(f"  {steps:,} step rows, {WORKERS} workers", flush=True)
        window = Window.last(Period.MONTH, now=datetime.now(UTC) + timedelta(minutes=1))
        product = median_ms(product_view(database, window), repeat)
        hand = median_ms(hand_view(database, window), repeat)
        ratio = product / hand
        verdict = "met" if product <= TARGET_MS and ratio <= TARGET_RATIO else "MISSED"
        print(
            f"  30 days: product {product:7.1f} ms   hand-written {hand:7.1f} ms   "
            f"ratio {ratio:5.2f}   ({verdict})",
            flush=True,
        )
        return {
            f"{label}_run_steps": steps,
            f"{label}_dashboard_ms": round(product, 1),
            f"{label}_dashboard_hand_ms": round(hand, 1),
            f"{label}_dashboard_ratio": round(ratio, 2),
        }
    finally:
        database.close()


def main() -> int:
    """Measure both databases; print the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="execution records")
    parser.add_argument(
        "--step-share", type=float, default=0.3, help="share of closed runs with step figures"
    )
    parser.add_argument("--repeat", type=int, default=9, help="timings per figure (median)")
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database to use")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    assert ExecutionStatus.TIMED_OUT.value == "timed_out"  # the hand SQL spells the values
    figures: dict[str, Any] = {"records": args.records, "days": 30}
    with tempfile.TemporaryDirectory(prefix="wb-bench-dashboard-") as folder:
        url = f"sqlite:///{Path(folder) / 'dashboard.db'}"
        figures |= measure(url, "sqlite", args.records, args.step_share, args.repeat)
    with postgres(args.postgres) as pg_url:
        if pg_url is None:
            figures["postgresql"] = "not available"
        else:
            figures |= measure(pg_url, "postgresql", args.records, args.step_share, args.repeat)
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
