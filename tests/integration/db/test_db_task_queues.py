"""Task queues: configuring a queue's strategy and pool size, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from core.db import Database, InvalidRecordError, QueueStrategy
from core.db.repositories.task_queues import MAX_POOL_SIZE


def test_configure_creates_a_missing_queue(db: Database) -> None:
    created = db.task_queues.configure("orders", strategy=QueueStrategy.POOL, pool_size=3)

    assert (created.name, created.strategy, created.pool_size) == (
        "orders",
        QueueStrategy.POOL,
        3,
    )
    assert db.task_queues.get("orders") == created


def test_configure_updates_an_existing_queue_in_place(db: Database) -> None:
    ensured = db.task_queues.ensure("orders", strategy=QueueStrategy.PER_WORKFLOW)

    pooled = db.task_queues.configure("orders", strategy=QueueStrategy.POOL, pool_size=4)
    shrunk = db.task_queues.configure("orders", strategy=QueueStrategy.POOL, pool_size=2)

    assert (pooled.id, pooled.created_at) == (ensured.id, ensured.created_at)
    assert (pooled.strategy, pooled.pool_size) == (QueueStrategy.POOL, 4)
    assert (shrunk.strategy, shrunk.pool_size) == (QueueStrategy.POOL, 2)
    assert db.task_queues.find() == [shrunk]
    # ensure leaves a configured queue as it is.
    assert db.task_queues.ensure("orders", strategy=QueueStrategy.SINGLE) == shrunk


@pytest.mark.parametrize("size", [0, -1, MAX_POOL_SIZE + 1])
def test_configure_refuses_a_pool_size_out_of_range(db: Database, size: int) -> None:
    db.task_queues.configure("orders", strategy=QueueStrategy.POOL, pool_size=2)

    with pytest.raises(InvalidRecordError) as caught:
        db.task_queues.configure("orders", strategy=QueueStrategy.POOL, pool_size=size)

    assert caught.value.field == "pool_size"
    assert f"task queue 'orders': {size} is out of range (1 to {MAX_POOL_SIZE})" in str(
        caught.value
    )
    assert db.task_queues.get("orders").pool_size == 2


def test_configure_accepts_the_bounds(db: Database) -> None:
    low = db.task_queues.configure("a", strategy=QueueStrategy.POOL, pool_size=1)
    high = db.task_queues.configure("b", strategy=QueueStrategy.POOL, pool_size=MAX_POOL_SIZE)

    assert (low.pool_size, high.pool_size) == (1, MAX_POOL_SIZE)
