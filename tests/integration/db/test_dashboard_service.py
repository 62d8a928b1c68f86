"""DashboardService over hand-computed records on both databases: tiles against the period
before, buckets filled, percentiles, orderings, step names, retries, workers, schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from core.dashboard import DashboardService, Window
from core.db import Database, ExecutionStatus, RunDetails, RunTrigger, StepFigures, WorkerStatus
from core.db.models import WorkerRow

E = ExecutionStatus
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
WINDOW = Window(T0, T0 + 2 * HOUR, HOUR)
#: SQLite computes durations from Julian days, a few microseconds off.
MS = 1e-3


def graph(name: str, labels: dict[str, str]) -> dict[str, Any]:
    """A draft whose nodes carry the labels the dashboard names steps by."""
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "description": "", "task_queue": None},
        "nodes": [
            {"id": node, "type": "activity", "label": label, "params": {"activity": "echo"}}
            for node, label in labels.items()
        ],
        "edges": [],
    }


class Runs:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.n = 0

    def add(
        self, status: E, *, minute: float, seconds: float | None, definition_id: int, **extra: Any
    ) -> str:
        self.n += 1
        start = T0 + timedelta(minutes=minute)
        self.db.executions.upsert(
            workflow_id=f"wf-{self.n}",
            run_id=f"r{self.n}",
            workflow_type="t_v1",
            task_queue="q",
            status=status,
            start_time=start,
            close_time=None if seconds is None else start + timedelta(seconds=seconds),
            definition_id=definition_id,
            **extra,
        )
        return f"wf-{self.n}"


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    """In the window (09:00-11:00): orders 2 completed (1.5 s, 2.5 s) and 1 failed at
    "Charge card" (4 s) in hour 9, 1 more failed the same way (1 s) in hour 10; billing 1
    timed out (60 s, no step) and 1 running in hour 10; reports 1 completed (3 s). The two
    hours before: orders 4 completed in 1, 2, 3 and 4 s."""
    orders = db.workflows.create(
        name="orders", graph=graph("orders", {"charge": "Charge card", "greet": "Greet"})
    ).id
    billing = db.workflows.create(name="billing").id
    reports = db.workflows.create(name="reports").id
    runs = Runs(db)
    failure = {"failed_node_id": "charge", "failed_node_label": "Charge card", "error": "declined"}
    runs.add(E.COMPLETED, minute=5, seconds=1.5, definition_id=orders)
    runs.add(E.COMPLETED, minute=10, seconds=2.5, definition_id=orders)
    runs.add(E.FAILED, minute=20, seconds=4, definition_id=orders, **failure)
    runs.add(E.FAILED, minute=70, seconds=1, definition_id=orders, **failure)
    runs.add(E.TIMED_OUT, minute=80, seconds=60, definition_id=billing)
    runs.add(E.RUNNING, minute=90, seconds=None, definition_id=billing)
    runs.add(E.COMPLETED, minute=100, seconds=3, definition_id=reports)
    for n, seconds in enumerate((1, 2, 3, 4)):
        runs.add(E.COMPLETED, minute=-100 + n, seconds=seconds, definition_id=orders)
    return {"orders": orders, "billing": billing, "reports": reports}


def test_tiles_compare_with_the_period_just_before(db: Database, ids: dict[str, int]) -> None:
    tiles = {tile.label: tile for tile in DashboardService(db).tiles(WINDOW)}

    assert (tiles["Runs"].value, tiles["Runs"].previous) == (7, 4)
    # Failed counts failed, timed out and terminated runs.
    assert (tiles["Failed"].value, tiles["Failed"].previous) == (3, 0)
    assert tiles["Failure rate"].value == pytest.approx(100 * 3 / 7)
    assert tiles["Failure rate"].previous == 0.0
    assert tiles["Failure rate"].higher_is_better is False
    # Closed runs in the window: 1, 1.5, 2.5, 3, 4, 60 s; before: 1, 2, 3, 4 s.
    assert tiles["p50 duration"].value == pytest.approx(2.75, abs=MS)
    assert tiles["p95 duration"].value == pytest.approx(4 + 0.75 * 56, abs=MS)
    assert tiles["p50 duration"].previous == pytest.approx(2.5, abs=MS)
    assert tiles["p95 duration"].previous == pytest.approx(3.85, abs=MS)
    assert (tiles["In flight"].value, tiles["In flight"].previous) == (1, None)

    only_orders = {
        t.label: t for t in DashboardService(db).tiles(WINDOW, definition_id=ids["orders"])
    }
    assert (only_orders["Runs"].value, only_orders["Failed"].value) == (4, 2)
    assert only_orders["In flight"].value == 0


def test_an_empty_period_has_no_rate_or_durations(db: Database) -> None:
    tiles = {tile.label: tile for tile in DashboardService(db).tiles(WINDOW)}

    assert tiles["Runs"].value == 0
    assert tiles["Failure rate"].value is None and tiles["p50 duration"].value is None


def test_runs_over_time_fills_every_bucket_of_each_status(
    db: Database, ids: dict[str, int]
) -> None:
    counts = DashboardService(db).runs_over_time(WINDOW)
    found = {(c.bucket, c.status): c.runs for c in counts}

    assert sorted({c.bucket for c in counts}) == [T0, T0 + HOUR]
    assert {c.status for c in counts} == {E.RUNNING, E.COMPLETED, E.FAILED, E.TIMED_OUT}
    assert len(counts) == 8
    assert found[(T0, E.COMPLETED)] == 2 and found[(T0 + HOUR, E.COMPLETED)] == 1
    assert found[(T0, E.TIMED_OUT)] == 0 and found[(T0 + HOUR, E.TIMED_OUT)] == 1
    assert found[(T0, E.FAILED)] == 1 and found[(T0 + HOUR, E.FAILED)] == 1


def test_duration_percentiles_per_workflow_and_bucket(db: Database, ids: dict[str, int]) -> None:
    points = {
        (p.workflow, p.bucket): (round(p.p50_seconds, 3), round(p.p95_seconds, 3), p.runs)
        for p in DashboardService(db).durations(WINDOW)
    }

    assert points == {
        ("orders", T0): (2.5, 3.85, 3),
        ("orders", T0 + HOUR): (1.0, 1.0, 1),
        ("billing", T0 + HOUR): (60.0, 60.0, 1),
        ("reports", T0 + HOUR): (3.0, 3.0, 1),
    }


def test_failure_rates_highest_first_then_most_runs(db: Database, ids: dict[str, int]) -> None:
    rates = DashboardService(db).failure_rates(WINDOW)

    assert [(r.workflow, r.runs, r.failed) for r in rates] == [
        ("orders", 4, 2),
        ("billing", 2, 1),
        ("reports", 1, 0),
    ]
    assert rates[0].rate == 0.5 and rates[2].rate == 0.0


def test_failing_steps_are_named_as_people_know_them(db: Database, ids: dict[str, int]) -> None:
    steps = DashboardService(db).failing_steps(WINDOW)

    assert [(s.workflow, s.step, s.error, s.runs) for s in steps] == [
        ("orders", "Charge card (charge)", "declined", 2),
        ("billing", "(unknown step)", "(no message)", 1),
    ]
    assert (steps[0].definition_id, steps[0].node_id) == (ids["orders"], "charge")
    assert steps[0].last_failed == T0 + timedelta(minutes=70, seconds=1)


def test_retries_per_step_most_first_with_draft_labels(db: Database, ids: dict[str, int]) -> None:
    def figures(node: str, calls: int, attempts: int, seconds: float) -> StepFigures:
        return StepFigures(
            node,
            visits=max(calls, 1),
            calls=calls,
            attempts=attempts,
            failed=False,
            seconds=seconds,
        )

    db.executions.record_details(
        "wf-1",
        "r1",
        RunDetails(steps=(figures("greet", 1, 1, 0.5), figures("charge", 1, 3, 2.0))),
    )
    db.executions.record_details(
        "wf-3", "r3", RunDetails(steps=(figures("charge", 2, 5, 3.0), figures("check", 0, 0, 0)))
    )

    found = DashboardService(db).retries(WINDOW)

    assert [(s.workflow, s.step, s.runs, s.calls, s.retries) for s in found] == [
        ("orders", "Charge card (charge)", 2, 3, 5),
        ("orders", "Greet (greet)", 1, 1, 0),
    ]
    assert found[0].mean_seconds == pytest.approx(5.0 / 3, abs=MS)


def test_workers_over_time_alive_and_lost_per_bucket(db: Database) -> None:
    def worker(worker_id: str, started: datetime, status: WorkerStatus, stopped=None) -> None:
        db.workers.register(worker_id=worker_id, task_queue="q", host="h")
        if status is not WorkerStatus.STARTING:
            db.workers.set_status(worker_id, WorkerStatus.RUNNING)
        if status is WorkerStatus.STOPPED:
            db.workers.set_status(worker_id, WorkerStatus.STOPPING)
        if status in (WorkerStatus.STOPPED, WorkerStatus.FAILED):
            db.workers.set_status(worker_id, status)
        with db.engine.begin() as connection:
            connection.execute(
                update(WorkerRow)
                .where(WorkerRow.worker_id == worker_id)
                .values(started_at=started, stopped_at=stopped)
            )

    worker("always", T0 - HOUR, WorkerStatus.RUNNING)
    worker("lost", T0 + HOUR / 2, WorkerStatus.FAILED, stopped=T0 + 1.5 * HOUR)
    worker("stopped", T0 - 3 * HOUR, WorkerStatus.STOPPED, stopped=T0 + HOUR / 3)
    worker("later", T0 + 3 * HOUR, WorkerStatus.RUNNING)

    counts = {
        (c.bucket, c.status): c.workers for c in DashboardService(db).workers_over_time(WINDOW)
    }

    assert counts == {
        (T0, "alive"): 3,
        (T0, "lost"): 0,
        (T0 + HOUR, "alive"): 2,
        (T0 + HOUR, "lost"): 1,
    }
    tiles = {tile.label: tile.value for tile in DashboardService(db).tiles(WINDOW)}
    assert (tiles["Workers alive"], tiles["Workers lost"]) == (2, 1)


def test_workers_report_their_process_figures(db: Database) -> None:
    db.workers.register(worker_id="w1", task_queue="q", host="box")
    db.workers.set_status("w1", WorkerStatus.RUNNING)
    db.workers.heartbeat(
        "w1", resources={"cpu_percent": 12.5, "rss_bytes": 150_000_000, "uptime_seconds": 61.0}
    )
    db.workers.register(worker_id="w2", task_queue="q", host="box")

    figures = {w.worker_id: w for w in DashboardService(db).workers()}

    assert (figures["w1"].cpu_percent, figures["w1"].rss_bytes) == (12.5, 150_000_000)
    assert (figures["w1"].uptime_seconds, figures["w1"].status) == (61.0, "running")
    assert figures["w2"].cpu_percent is None and figures["w2"].status == "starting"


def test_schedules_and_queues_say_why_without_temporal(db: Database, ids: dict[str, int]) -> None:
    db.schedules.create(
        schedule_id="billing-schedule", workflow_id=ids["billing"], cron="0 7 * * *"
    )
    runs = Runs(db)
    runs.n = 100
    for minute, status in ((0, E.COMPLETED), (30, E.FAILED), (60, E.COMPLETED)):
        runs.add(
            status,
            minute=minute,
            seconds=1,
            definition_id=ids["billing"],
            trigger=RunTrigger.SCHEDULE,
        )
    db.workers.register(worker_id="w1", task_queue="q", host="box")

    (schedule,) = DashboardService(db).schedules()

    assert (schedule.workflow, schedule.cron, schedule.paused) == ("billing", "0 7 * * *", False)
    assert schedule.recent == (E.COMPLETED, E.FAILED, E.COMPLETED)  # newest first
    assert schedule.upcoming == () and schedule.error == "Temporal is not started"
    (queue,) = DashboardService(db).queues()
    assert (queue.task_queue, queue.live_workers, queue.loads) == ("q", 1, ())
    assert queue.error == "Temporal is not started"
