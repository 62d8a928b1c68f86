"""The execution mirror: idempotent upserts, filtered pages and status counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import (
    Database,
    ExecutionFilter,
    ExecutionRecord,
    ExecutionSort,
    ExecutionStatus,
    ObservedRun,
    RecordNotFoundError,
    RunDetails,
    RunTrigger,
)

E = ExecutionStatus
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def upsert(
    db: Database, workflow_id: str = "order-1", run_id: str = "r1", **fields: Any
) -> ExecutionRecord:
    values: dict[str, Any] = {
        "workflow_type": "orders_v1",
        "task_queue": "orders",
        "status": E.RUNNING,
        "start_time": T0,
    }
    db.executions.upsert(workflow_id=workflow_id, run_id=run_id, **(values | fields))
    return db.executions.get(workflow_id, run_id)


def test_upsert_is_idempotent(db: Database) -> None:
    first = upsert(db, input_preview='{"amount": 3}')
    second = upsert(db, input_preview='{"amount": 3}')

    assert first == second
    assert db.executions.find().total == 1


def test_upsert_updates_and_keeps_what_is_not_given(db: Database) -> None:
    workflow = db.workflows.create(name="orders")
    upsert(db, input_preview='{"amount": 3}', definition_id=workflow.id, version=1)

    closed = upsert(
        db, status=E.COMPLETED, result_preview='["ok"]', close_time=T0 + timedelta(seconds=5)
    )

    assert closed.status is E.COMPLETED
    assert closed.result_preview == '["ok"]'
    assert closed.input_preview == '{"amount": 3}'
    assert (closed.definition_id, closed.version) == (workflow.id, 1)
    assert closed.close_time == T0 + timedelta(seconds=5)


def test_runs_of_the_same_workflow_id_are_separate_rows(db: Database) -> None:
    upsert(db, run_id="r1", status=E.CONTINUED_AS_NEW)
    upsert(db, run_id="r2")

    assert db.executions.get("order-1", "r1").status is E.CONTINUED_AS_NEW
    assert db.executions.get("order-1", "r2").status is E.RUNNING
    with pytest.raises(RecordNotFoundError, match="execution 'order-1/r3'"):
        db.executions.get("order-1", "r3")


def seed(db: Database) -> None:
    statuses = [E.COMPLETED, E.FAILED, E.RUNNING, E.COMPLETED, E.COMPLETED, E.TIMED_OUT]
    for minute, status in enumerate(statuses):
        upsert(
            db,
            workflow_id=f"{'pay' if minute % 2 else 'order'}-{minute}",
            run_id=f"run-{minute}",
            status=status,
            workflow_type="pay_v1" if minute % 2 else "orders_v1",
            start_time=T0 + timedelta(minutes=minute),
        )


def test_find_pages_newest_first_with_total(db: Database) -> None:
    seed(db)

    first = db.executions.find(limit=4)
    second = db.executions.find(limit=4, offset=4)

    assert first.total == second.total == 6
    assert [e.run_id for e in first.items] == ["run-5", "run-4", "run-3", "run-2"]
    assert [e.run_id for e in second.items] == ["run-1", "run-0"]


def test_find_filters(db: Database) -> None:
    seed(db)

    def run_ids(**filters: Any) -> list[str]:
        return [e.run_id for e in db.executions.find(ExecutionFilter(**filters)).items]

    assert run_ids(statuses=(E.COMPLETED,)) == ["run-4", "run-3", "run-0"]
    assert run_ids(workflow_type="pay_v1") == ["run-5", "run-3", "run-1"]
    assert run_ids(workflow_id_prefix="order") == ["run-4", "run-2", "run-0"]
    assert run_ids(
        started_after=T0 + timedelta(minutes=2), started_before=T0 + timedelta(minutes=4)
    ) == [
        "run-3",
        "run-2",
    ]
    assert run_ids(task_queue="elsewhere") == []


def test_prefix_filter_treats_wildcards_literally(db: Database) -> None:
    upsert(db, workflow_id="100%_sure", run_id="a")
    upsert(db, workflow_id="100x_sure", run_id="b")

    page = db.executions.find(ExecutionFilter(workflow_id_prefix="100%"))

    assert [e.run_id for e in page.items] == ["a"]


def test_count_by_status(db: Database) -> None:
    seed(db)

    assert db.executions.count_by_status() == {
        E.COMPLETED: 3,
        E.FAILED: 1,
        E.RUNNING: 1,
        E.TIMED_OUT: 1,
    }
    assert db.executions.count_by_status(ExecutionFilter(workflow_type="orders_v1")) == {
        E.COMPLETED: 2,
        E.RUNNING: 1,
    }


def observed(run_id: str = "r1", **changes: Any) -> ObservedRun:
    values: dict[str, Any] = {
        "workflow_id": "order-1",
        "run_id": run_id,
        "workflow_type": "orders_v1",
        "task_queue": "orders",
        "status": E.RUNNING,
        "start_time": T0,
        "close_time": None,
        "history_length": 3,
        "trigger": RunTrigger.EXTERNAL,
    }
    return ObservedRun(**(values | changes))


def test_record_observed_writes_only_what_changed(db: Database) -> None:
    assert len(db.executions.record_observed([observed()])) == 1
    assert db.executions.record_observed([observed()]) == []

    closed = observed(status=E.COMPLETED, close_time=T0 + timedelta(seconds=2), history_length=11)
    assert db.executions.record_observed([closed]) == [closed]

    record = db.executions.get("order-1", "r1")
    assert (record.status, record.history_length, record.details_synced) == (E.COMPLETED, 11, False)
    assert [r.run_id for r in db.executions.needing_details(limit=10)] == ["r1"]
    db.executions.record_details("order-1", "r1", RunDetails(result_preview='"ok"'))
    assert db.executions.needing_details(limit=10) == []
    assert db.executions.get("order-1", "r1").result_preview == '"ok"'


def test_what_the_console_recorded_at_start_is_kept(db: Database) -> None:
    workflow = db.workflows.create(name="orders")
    upsert(
        db,
        trigger=RunTrigger.MANUAL,
        definition_id=workflow.id,
        version=2,
        input_preview='{"amount": 3}',
    )

    db.executions.record_observed([observed(trigger=RunTrigger.EXTERNAL)])

    record = db.executions.get("order-1", "r1")
    assert (record.trigger, record.definition_id, record.version) == (
        RunTrigger.MANUAL,
        workflow.id,
        2,
    )
    assert record.input_preview == '{"amount": 3}'


def test_search_sort_and_purge(db: Database) -> None:
    seed(db)
    upsert(db, workflow_id="old-1", run_id="old", status=E.COMPLETED, close_time=T0)

    def run_ids(**options: Any) -> list[str]:
        return [e.run_id for e in db.executions.find(**options).items]

    assert run_ids(filters=ExecutionFilter(search="pay-")) == ["run-5", "run-3", "run-1"]
    assert run_ids(filters=ExecutionFilter(search="run-2")) == ["run-2"]
    assert run_ids(sort=ExecutionSort.WORKFLOW_ID, descending=False, limit=2) == ["old", "run-0"]
    assert db.executions.find(count=False).total == -1

    assert db.executions.purge(closed_before=T0 + timedelta(seconds=1)) == 1
    assert "old" not in run_ids()
