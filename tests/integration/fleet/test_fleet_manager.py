"""The worker manager on the real dev server: registry statuses, crash restarts, applying code."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TypeVar

import pytest

from core.config import Settings
from core.db import Capability, Database, QueueStrategy, WorkerRecord, WorkerStatus
from core.fleet import (
    DeploymentCodeError,
    FleetConfigError,
    NothingToServeError,
    QueueStateError,
    RestartPolicy,
    WorkerManager,
)
from core.fleet.manager import _Queue, _Slot

from .conftest import HEARTBEAT_SECONDS, deploy, hello_graph

T = TypeVar("T")
W = WorkerStatus
FAST_RESTARTS = RestartPolicy(max_restarts=2, first_delay=0.2, max_delay=1.0)


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Poll ``probe`` until it returns something truthy, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def run_hello(manager: WorkerManager, workflow_type: str, task_queue: str, name: str) -> object:
    host = manager.host
    return host.call(
        host.client.execute_workflow(
            workflow_type,
            {"name": name},
            id=f"{workflow_type}-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=20),
        )
    )


def status_of(database: Database, worker_id: str) -> WorkerRecord:
    return database.workers.get(worker_id)


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    with Database.open(sqlite_url) as db:
        yield db


@pytest.fixture
def manager(fleet_settings: Settings, database: Database) -> Iterator[WorkerManager]:
    with WorkerManager(
        fleet_settings,
        database,
        restart_policy=FAST_RESTARTS,
        graceful_shutdown=timedelta(seconds=2),
    ) as worker_manager:
        yield worker_manager


def test_start_stop_restart_move_the_registry_through_its_statuses(
    fleet_settings: Settings, database_url: str, task_queue: str
):
    with Database.open(database_url) as database:
        hello = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
        manager = WorkerManager(fleet_settings, database, graceful_shutdown=timedelta(seconds=2))
        try:
            [started] = manager.start_queue(task_queue)
            assert started.status is W.RUNNING
            assert started.task_queue == task_queue
            assert started.worker_id.endswith(f"-{task_queue}-0")
            assert Capability("hello_activity_v1") in database.workers.capabilities(
                started.worker_id
            )
            assert Capability("hello_activity_v1", "echo") in database.workers.capabilities(
                started.worker_id
            )
            assert run_hello(manager, hello.workflow_type, task_queue, "Ann") == "Hello, Ann!"

            first_beat = wait_for(
                "a heartbeat",
                lambda: status_of(database, started.worker_id).last_heartbeat,
            )
            wait_for(
                "a later heartbeat",
                lambda: status_of(database, started.worker_id).last_heartbeat > first_beat,
            )

            [stopped] = manager.stop_queue(task_queue)
            assert stopped.status is W.STOPPED and stopped.stopped_at is not None
            assert manager.queues() == ()
            with pytest.raises(QueueStateError, match="no worker runs for it here"):
                manager.stop_queue(task_queue)

            [restarted] = manager.restart_queue(task_queue)
            assert restarted.worker_id == started.worker_id
            assert restarted.status is W.RUNNING and restarted.stopped_at is None
            with pytest.raises(QueueStateError, match="already run"):
                manager.start_queue(task_queue)
            assert run_hello(manager, hello.workflow_type, task_queue, "Bo") == "Hello, Bo!"
        finally:
            manager.close()
        assert status_of(database, started.worker_id).status is W.STOPPED


def _shut_down_from_outside(manager: WorkerManager, task_queue: str) -> None:
    # A real way for a Temporal worker to end on its own: its run() returns (as after a
    # fatal poll error) without the manager asking. The SDK Worker is private to the host.
    running = manager.host._workers[task_queue]
    manager.host.call(running.worker.shutdown())


def test_a_worker_that_stops_on_its_own_is_restarted(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    hello = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    [started] = manager.start_queue(task_queue)

    _shut_down_from_outside(manager, task_queue)

    failed = wait_for(
        "the crash to be recorded",
        lambda: (r := status_of(database, started.worker_id)).status is W.FAILED and r,
    )
    assert failed.error.startswith("crashed: stopped without an error; restart 1 in 0.2 s")
    wait_for(
        "the restart",
        lambda: status_of(database, started.worker_id).status is W.RUNNING,
    )
    assert status_of(database, started.worker_id).error is None
    assert run_hello(manager, hello.workflow_type, task_queue, "Cy") == "Hello, Cy!"


def test_a_worker_that_keeps_crashing_is_left_failed(
    fleet_settings: Settings, database: Database, task_queue: str
):
    deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    with WorkerManager(
        fleet_settings, database, restart_policy=RestartPolicy(max_restarts=0)
    ) as manager:
        [started] = manager.start_queue(task_queue)
        _shut_down_from_outside(manager, task_queue)
        given_up = wait_for(
            "the worker to be given up",
            lambda: (r := status_of(database, started.worker_id)).status is W.FAILED and r,
        )
        assert "crashed 1 times in a row, giving up" in given_up.error
        time.sleep(3 * HEARTBEAT_SECONDS)  # the time restarts would take; none must happen
        assert status_of(database, started.worker_id).status is W.FAILED


def test_apply_queue_loads_a_new_deployment_next_to_the_old_one(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    v1 = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    [worker] = manager.apply_queue(task_queue)  # starts the queue when it is not running
    assert worker.status is W.RUNNING
    database.deployments.activate(v1.deployment.id)

    v2 = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    [applied] = manager.apply_queue(task_queue)
    assert applied.worker_id == worker.worker_id and applied.status is W.RUNNING
    types = {c.workflow_type for c in database.workers.capabilities(worker.worker_id)}
    assert types == {"hello_activity_v1", "hello_activity_v2"}
    assert run_hello(manager, v2.workflow_type, task_queue, "Di") == "Hello, Di!"
    assert run_hello(manager, v1.workflow_type, task_queue, "Ed") == "Hello, Ed!"

    # The deploy's rollback: a failed deployment is dropped from the queue again.
    database.deployments.fail(v2.deployment.id, error="smoke test failed")
    manager.apply_queue(task_queue)
    types = {c.workflow_type for c in database.workers.capabilities(worker.worker_id)}
    assert types == {"hello_activity_v1"}

    # Nothing left to serve: the worker stops.
    database.deployments.retire(v1.deployment.id)
    assert manager.apply_queue(task_queue) == []
    assert status_of(database, worker.worker_id).status is W.STOPPED
    with pytest.raises(NothingToServeError, match="nothing to serve"):
        manager.start_queue(task_queue)


def test_a_bundle_missing_from_disk_is_served_from_the_database_copy_byte_for_byte(
    manager: WorkerManager,
    database: Database,
    fleet_settings: Settings,
    task_queue: str,
    monkeypatch: pytest.MonkeyPatch,
):
    hello = deploy(
        database,
        fleet_settings,
        task_queue=task_queue,
        graph=hello_graph(),
        bundle_dir="/nonexistent/other-machine/wf_hello",
    )

    def upgraded_compiler(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kept bundle is never rebuilt (a newer compiler differs)")

    monkeypatch.setattr("core.fleet.code.compile_version", upgraded_compiler)
    manager.start_queue(task_queue)
    assert run_hello(manager, hello.workflow_type, task_queue, "Flo") == "Hello, Flo!"


def test_a_version_deployed_before_bundles_were_kept_is_rebuilt_from_its_graph(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    hello = deploy(
        database,
        fleet_settings,
        task_queue=task_queue,
        graph=hello_graph(),
        bundle_dir="/nonexistent/other-machine/wf_hello",
        keep_files=False,
    )
    manager.start_queue(task_queue)
    assert run_hello(manager, hello.workflow_type, task_queue, "Flo") == "Hello, Flo!"


def test_a_bundle_that_differs_from_the_deployed_digest_is_refused(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    bad = deploy(
        database, fleet_settings, task_queue=task_queue, graph=hello_graph(), bundle_hash="f" * 64
    )
    with pytest.raises(DeploymentCodeError) as caught:
        manager.apply_queue(task_queue)
    assert caught.value.deployment_id == bad.deployment.id
    assert f"deployment {bad.deployment.id} (hello_activity_v1)" in str(caught.value)
    assert "was built as ffffffffffff" in str(caught.value)
    assert manager.queues() == ()


def test_scale_runs_a_pool_of_workers_on_one_queue(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    hello = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    manager.start_queue(task_queue)
    pool = manager.scale(task_queue, 3)
    assert [r.worker_id[-2:] for r in pool] == ["-0", "-1", "-2"]
    assert {r.status for r in pool} == {W.RUNNING}
    assert run_hello(manager, hello.workflow_type, task_queue, "Gil") == "Hello, Gil!"

    [kept] = manager.scale(task_queue, 1)
    assert kept.worker_id == pool[0].worker_id
    assert [status_of(database, r.worker_id).status for r in pool] == [
        W.RUNNING,
        W.STOPPED,
        W.STOPPED,
    ]
    with pytest.raises(FleetConfigError, match="pool size 0 is out of range"):
        manager.scale(task_queue, 0)


def test_a_scaled_pool_outlives_its_manager(
    fleet_settings: Settings, database: Database, task_queue: str
):
    hello = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    with WorkerManager(fleet_settings, database, graceful_shutdown=timedelta(seconds=2)) as first:
        first.start_queue(task_queue)
        assert len(first.scale(task_queue, 2)) == 2
    stored = database.task_queues.get(task_queue)
    assert (stored.strategy, stored.pool_size) == (QueueStrategy.POOL, 2)

    # A restart (or a standalone worker elsewhere) reads the size from the database.
    with WorkerManager(fleet_settings, database, graceful_shutdown=timedelta(seconds=2)) as again:
        pool = again.start_queue(task_queue)
        assert [r.worker_id[-2:] for r in pool] == ["-0", "-1"]
        assert {r.status for r in pool} == {W.RUNNING}
        assert run_hello(again, hello.workflow_type, task_queue, "Hal") == "Hello, Hal!"


def test_new_code_reaches_every_worker_of_a_pool(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    # Each pool worker polls under its own identity (its registry id); with one shared identity
    # Temporal showed whichever polled last, and confirming new code flipped between builds.
    v1 = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    manager.start_queue(task_queue)
    pool = manager.scale(task_queue, 2)
    database.deployments.activate(v1.deployment.id)
    for _ in range(3):  # the flake it guards against showed about one run in three
        newer = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
        applied = manager.apply_queue(task_queue)
        assert [r.worker_id for r in applied] == [r.worker_id for r in pool]
        for record in applied:
            types = {c.workflow_type for c in database.workers.capabilities(record.worker_id)}
            assert newer.workflow_type in types
        assert run_hello(manager, newer.workflow_type, task_queue, "Ivy") == "Hello, Ivy!"
        database.deployments.activate(newer.deployment.id)


def test_heartbeats_go_on_while_operations_change_the_slots(
    fleet_settings: Settings, database: Database
):
    # Operations add and drop slots under the manager's lock for their shape, while the
    # heartbeat thread lists them. Listing them without that lock raised "dictionary changed
    # size during iteration" here and ended the loop for good: no heartbeats, no lost workers.
    settings = dataclasses.replace(fleet_settings, worker_heartbeat_seconds=0.01)
    with WorkerManager(settings, database) as manager:
        queue = _Queue(name="churn", code=None)  # type: ignore[arg-type]  # never started
        queue.slots.update({n: _Slot(index=n, worker_id=f"churn-{n}") for n in range(20_000)})
        with manager._slots_lock:
            manager._queues[queue.name] = queue
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads often, so the two sides interleave
        try:
            deadline = time.monotonic() + 1.5
            n = 0
            while time.monotonic() < deadline:
                with manager._slots_lock:  # as _stop_slot does
                    slot = queue.slots.pop(n)
                time.sleep(0)
                with manager._slots_lock:  # as _start_slot does
                    queue.slots[20_000 + n] = slot
                n += 1
                time.sleep(0)
        finally:
            sys.setswitchinterval(interval)
        with manager._slots_lock:
            manager._queues.pop(queue.name)

        # The loop still runs: a worker of another process that never heartbeats is marked lost.
        database.workers.register(worker_id=f"gone-{uuid.uuid4()}", task_queue="churn", host="x")
        wait_for(
            "the silent worker to be marked lost",
            lambda: [w for w in database.workers.find() if w.status is W.FAILED],
        )


def test_a_worker_id_an_earlier_process_left_live_is_taken_over(
    manager: WorkerManager, database: Database, fleet_settings: Settings, task_queue: str
):
    # A restarted container has the same host name and pid, so its workers get the same ids,
    # and their rows may still look live (not yet marked lost) when it starts them again.
    deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{task_queue}-0"
    database.workers.register(worker_id=worker_id, task_queue=task_queue, host="earlier")
    database.workers.set_status(worker_id, W.RUNNING)

    [started] = manager.start_queue(task_queue)
    assert (started.worker_id, started.status) == (worker_id, W.RUNNING)
