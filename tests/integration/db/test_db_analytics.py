"""Dashboard aggregates in SQL against a hand-computed set of records, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import Database, ExecutionStatus, RunDetails, StepFigures
from core.db.repositories import Scope, buckets_between

E = ExecutionStatus
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def run(
    db: Database, n: int, status: E, *, minute: int, seconds: float | None, **extra: Any
) -> None:
    start = T0 + timedelta(minutes=minute)
    db.executions.upsert(
        workflow_id=f"wf-{n}",
        run_id=f"r{n}",
        workflow_type="orders_v1",
        task_queue="q",
        status=status,
        start_time=start,
        close_time=None if seconds is None else start + timedelta(seconds=seconds),
        **extra,
    )


@pytest.fixture
def seeded(db: Database) -> dict[str, int]:
    orders = db.workflows.create(name="orders").id
    billing = db.workflows.create(name="billing").id
    # Hour 9: 3 orders (2 completed in 1.5 s and 2.5 s, 1 failed at "charge" after 4 s).
    run(db, 1, E.COMPLETED, minute=5, seconds=1.5, definition_id=orders)
    run(db, 2, E.COMPLETED, minute=10, seconds=2.5, definition_id=orders)
    failure = {"failed_node_id": "charge", "failed_node_label": "Charge card"}
    run(db, 3, E.FAILED, minute=20, seconds=4, definition_id=orders, error="declined", **failure)
    # Hour 10: 1 order failed the same way, 1 billing timed out, 1 billing still running.
    run(db, 4, E.FAILED, minute=70, seconds=1, definition_id=orders, error="declined", **failure)
    run(db, 5, E.TIMED_OUT, minute=80, seconds=60, definition_id=billing)
    run(db, 6, E.RUNNING, minute=90, seconds=None, definition_id=billing)
    # Outside the scope (hour 12): not counted.
    run(db, 7, E.COMPLETED, minute=180, seconds=1, definition_id=orders)
    return {"orders": orders, "billing": billing}


SCOPE = Scope(T0, T0 + 2 * HOUR)


def test_runs_per_hour_and_status(db: Database, seeded: dict[str, int]) -> None:
    found = {(b.bucket, b.status): b.runs for b in db.analytics.status_buckets(SCOPE, bucket=HOUR)}

    assert found == {
        (T0, E.COMPLETED): 2,
        (T0, E.FAILED): 1,
        (T0 + HOUR, E.FAILED): 1,
        (T0 + HOUR, E.TIMED_OUT): 1,
        (T0 + HOUR, E.RUNNING): 1,
    }
    assert buckets_between(T0, T0 + 2 * HOUR, HOUR) == [T0, T0 + HOUR]
    assert buckets_between(T0, T0 + 2 * HOUR + timedelta(seconds=1), HOUR)[-1] == T0 + 2 * HOUR


def test_runs_and_failures_per_workflow(db: Database, seeded: dict[str, int]) -> None:
    counts = {c.definition_id: (c.runs, c.failed) for c in db.analytics.workflow_counts(SCOPE)}

    assert counts == {seeded["orders"]: (4, 2), seeded["billing"]: (2, 1)}
    only_orders = Scope(SCOPE.start, SCOPE.end, seeded["orders"])
    assert [(c.runs, c.failed) for c in db.analytics.workflow_counts(only_orders)] == [(4, 2)]


def test_durations_of_closed_runs(db: Database, seeded: dict[str, int]) -> None:
    durations = {
        (group.definition_id, group.bucket): sorted(round(value, 3) for value in group.seconds)
        for group in db.analytics.durations(SCOPE, bucket=HOUR)
    }

    assert durations == {
        (seeded["orders"], T0): [1.5, 2.5, 4.0],
        (seeded["orders"], T0 + HOUR): [1.0],
        (seeded["billing"], T0 + HOUR): [60.0],
    }


def test_failing_steps_grouped_by_step_and_message(db: Database, seeded: dict[str, int]) -> None:
    steps = db.analytics.failing_steps(SCOPE)

    assert [(s.node_id, s.node_label, s.error, s.runs) for s in steps] == [
        ("charge", "Charge card", "declined", 2),
        (None, None, "", 1),
    ]
    assert steps[0].last_failed == T0 + timedelta(minutes=70, seconds=1)
    assert db.analytics.in_flight() == 1
    assert db.analytics.in_flight(seeded["orders"]) == 0


def test_retries_and_time_per_step(db: Database, seeded: dict[str, int]) -> None:
    def figures(node: str, calls: int, attempts: int, seconds: float, failed: bool = False):
        return StepFigures(
            node, visits=calls, calls=calls, attempts=attempts, failed=failed, seconds=seconds
        )

    db.executions.record_details(
        "wf-1", "r1", RunDetails(steps=(figures("greet", 1, 1, 0.5), figures("charge", 1, 3, 2.0)))
    )
    db.executions.record_details(
        "wf-3", "r3", RunDetails(steps=(figures("charge", 2, 5, 3.0, failed=True),))
    )
    db.executions.record_details("wf-7", "r7", RunDetails(steps=(figures("charge", 1, 9, 1.0),)))

    use = {
        (u.node_id, u.runs, u.calls, u.retries, u.failed, u.seconds)
        for u in db.analytics.step_use(SCOPE)
    }

    # wf-7 started outside the scope: its nine attempts do not count.
    assert use == {("charge", 2, 3, 5, 1, 5.0), ("greet", 1, 1, 0, 0, 0.5)}
    assert db.analytics.step_use(SCOPE)[0].node_id == "charge"
