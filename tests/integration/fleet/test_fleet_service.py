"""The fleet service: workers and heartbeat ages, lost ones failed, queues with their pollers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.config import Settings
from core.db import Database, QueueStrategy, WorkerStatus
from core.fleet import FleetService, NothingToServeError, WorkerManager

from .conftest import deploy, hello_graph

W = WorkerStatus


@pytest.fixture
def fleet(fleet_settings: Settings, database_url: str) -> Iterator[tuple[Database, FleetService]]:
    with (
        Database.open(database_url) as database,
        WorkerManager(fleet_settings, database, graceful_shutdown=timedelta(seconds=2)) as manager,
    ):
        yield database, FleetService(database, manager)


def test_queues_show_registered_workers_next_to_temporal_pollers(
    fleet: tuple[Database, FleetService], fleet_settings: Settings, task_queue: str
):
    database, service = fleet
    deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    database.task_queues.ensure(task_queue, strategy=QueueStrategy.POOL, pool_size=2)

    started = service.start_queue(task_queue)
    assert len(started) == 2  # the queue's pool strategy asks for two workers

    view = service.queue(task_queue)
    assert view.running_here and view.strategy is QueueStrategy.POOL and view.pool_size == 2
    # Each worker polls under its registry id, so the two of the pool are told apart.
    assert {(p.identity, p.kind) for p in view.pollers} == {
        (record.worker_id, kind) for record in started for kind in ("workflow", "activity")
    }
    assert view.unregistered_pollers == ()
    assert [w.worker_id for w in view.workers] == [r.worker_id for r in started]
    assert all(w.status is W.RUNNING for w in view.workers)
    assert [q.name for q in service.queues()] == [task_queue]

    # Temporal lists a stopped worker's poller for minutes: no warning right after a stop.
    service.stop_queue(task_queue)
    stopped = service.queue(task_queue)
    assert {p.identity for p in stopped.pollers} == {r.worker_id for r in started}
    assert stopped.unregistered_pollers == ()
    assert stopped.stopped_pollers == tuple(sorted(r.worker_id for r in started))


def test_listing_marks_workers_without_heartbeats_lost(
    fleet: tuple[Database, FleetService], fleet_settings: Settings, task_queue: str
):
    database, service = fleet
    database.workers.register(worker_id="silent", task_queue=task_queue, host="elsewhere", pid=7)
    database.workers.set_status("silent", W.RUNNING)
    [fresh] = service.workers(task_queue=task_queue)
    assert fresh.status is W.RUNNING and 0 <= fresh.heartbeat_age_seconds < 1.5
    assert fresh.identity == "silent"

    time.sleep(
        3 * fleet_settings.worker_heartbeat_seconds + 0.2
    )  # the lost limit itself is what is under test
    [lost] = service.workers(task_queue=task_queue)
    assert lost.status is W.FAILED and lost.record.error.startswith("lost:")


def test_errors_say_what_is_wrong(fleet: tuple[Database, FleetService], task_queue: str):
    _, service = fleet
    with pytest.raises(NothingToServeError, match=f"task queue '{task_queue}': nothing to serve"):
        service.start_queue(task_queue)
