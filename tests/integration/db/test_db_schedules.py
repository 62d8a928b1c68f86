"""Schedules and task queues: the small CRUD repositories."""

from __future__ import annotations

import pytest

from core.db import (
    Database,
    DuplicateRecordError,
    QueueStrategy,
    RecordNotFoundError,
)


def test_schedule_crud(db: Database) -> None:
    workflow = db.workflows.create(name="nightly")

    created = db.schedules.create(
        schedule_id="nightly-report", workflow_id=workflow.id, cron="0 2 * * *", input={"day": 1}
    )
    updated = db.schedules.update("nightly-report", cron="0 3 * * *", input=None)
    paused = db.schedules.set_paused("nightly-report", True)

    assert (created.cron, created.input, created.paused) == ("0 2 * * *", {"day": 1}, False)
    assert (updated.cron, updated.input) == ("0 3 * * *", None)
    assert paused.paused is True
    assert db.schedules.get("nightly-report") == paused
    assert db.schedules.find(workflow_id=workflow.id) == [paused]
    db.schedules.delete("nightly-report")
    assert db.schedules.find() == []
    with pytest.raises(RecordNotFoundError, match="schedule 'nightly-report' not found"):
        db.schedules.get("nightly-report")


def test_schedule_ids_are_unique(db: Database) -> None:
    workflow = db.workflows.create(name="nightly")
    db.schedules.create(schedule_id="s", workflow_id=workflow.id, cron="* * * * *")

    with pytest.raises(DuplicateRecordError, match="schedule 's' already exists"):
        db.schedules.create(schedule_id="s", workflow_id=workflow.id, cron="* * * * *")


def test_task_queue_ensure_creates_once(db: Database) -> None:
    created = db.task_queues.ensure("pool", strategy=QueueStrategy.POOL, pool_size=4)
    again = db.task_queues.ensure("pool", strategy=QueueStrategy.SINGLE)
    db.task_queues.ensure("default")

    assert again == created
    assert (created.strategy, created.pool_size) == (QueueStrategy.POOL, 4)
    assert db.task_queues.get("pool") == created
    assert [q.name for q in db.task_queues.find()] == ["default", "pool"]
    with pytest.raises(RecordNotFoundError, match="task queue 'nope'"):
        db.task_queues.get("nope")
