"""Standalone worker processes: two share a queue's runs, one SIGKILLed shows as lost, one
serves a step's own queue."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from temporalio.client import Client, WorkflowHandle

from core.config import Settings
from core.db import (
    Capability,
    Database,
    ExecutionFilter,
    ExecutionStatus,
    QueueStrategy,
    WorkerRecord,
    WorkerStatus,
)
from core.fleet import WorkerManager
from core.fleet.standalone import run_standalone_worker

from .conftest import WorkerProcess, deploy, hello_graph

T = TypeVar("T")
W = WorkerStatus
RUNS = 200
#: Issue 14: a SIGKILLed worker is shown lost within this many seconds.
LOST_WITHIN = 35.0


async def eventually(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Poll ``probe`` until it returns something truthy, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.1)


def running_workers(database: Database, task_queue: str) -> list[WorkerRecord]:
    return database.workers.find(task_queue=task_queue, statuses=[W.RUNNING])


async def identities_in(handles: list[WorkflowHandle]) -> set[str]:
    """Identities that completed workflow tasks or started activities in these runs."""
    found: set[str] = set()
    for handle in handles:
        async for event in handle.fetch_history_events():
            if event.HasField("workflow_task_completed_event_attributes"):
                found.add(event.workflow_task_completed_event_attributes.identity)
            elif event.HasField("activity_task_started_event_attributes"):
                found.add(event.activity_task_started_event_attributes.identity)
    return found


@pytest.mark.fault
@pytest.mark.asyncio
async def test_two_processes_share_runs_and_a_killed_one_is_lost(
    fleet_settings: Settings,
    database_url: str,
    temporal_client: Client,
    task_queue: str,
    tmp_path: Path,
    processes: list[WorkerProcess],
):
    with Database.open(database_url) as database:
        slow = deploy(
            database, fleet_settings, task_queue=task_queue, graph=hello_graph(pause="2s")
        )
        database.deployments.activate(slow.deployment.id)
        for name in ("a", "b"):
            processes.append(
                WorkerProcess(fleet_settings, database_url, task_queue, tmp_path / f"{name}.log")
            )
        doomed, survivor = processes
        await eventually(
            "both processes to run a worker",
            lambda: len(running_workers(database, task_queue)) == 2,
        )
        by_pid = {w.pid: w for w in running_workers(database, task_queue)}
        assert set(by_pid) == {doomed.pid, survivor.pid}
        # Each worker polls under its registry id.
        doomed_identity = by_pid[doomed.pid].worker_id
        survivor_identity = by_pid[survivor.pid].worker_id

        handles = [
            await temporal_client.start_workflow(
                slow.workflow_type,
                {"name": f"n{i}"},
                id=f"fleet-{uuid.uuid4()}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            )
            for i in range(RUNS)
        ]
        # Both processes took first workflow tasks; the 2 s timers are still pending.
        seen: set[str] = set()
        deadline = time.monotonic() + 10
        while not {doomed_identity, survivor_identity} <= seen:
            assert time.monotonic() < deadline, f"only {seen} took tasks"
            seen = await identities_in(handles[:10])
        doomed.process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        doomed.process.wait(10)

        results = await asyncio.wait_for(
            asyncio.gather(*(handle.result() for handle in handles)), timeout=120
        )
        completed_after = time.monotonic() - killed_at
        assert results == [f"Hello, n{i}!" for i in range(RUNS)]
        everyone = await identities_in(handles)
        assert {doomed_identity, survivor_identity} <= everyone

        # No app runs here: a worker process holds the run monitor's lease and mirrors the
        # runs; if the killed one held it, the survivor takes over once the lease expires.
        completed = ExecutionFilter(task_queue=task_queue, statuses=(ExecutionStatus.COMPLETED,))
        await eventually(
            "every run recorded completed by a worker's run monitor",
            lambda: database.executions.find(completed, limit=1).total == RUNS,
            timeout=60,
        )
        lease = database.monitor.state("runs")
        assert lease is not None and f":{survivor.pid}:" in (lease.holder or "")

        lost = await eventually(
            "the killed worker to be marked lost",
            lambda: (
                (r := database.workers.get(by_pid[doomed.pid].worker_id)).status is W.FAILED and r
            ),
            timeout=LOST_WITHIN,
        )
        lost_after = time.monotonic() - killed_at
        assert lost.error.startswith("lost: no heartbeat since")
        print(
            f"worker SIGKILLed with {RUNS} runs in flight: {len(results)} completed "
            f"{completed_after:.1f} s after the kill, {RUNS - len(results)} lost; shown lost "
            f"{lost_after:.1f} s after the kill "
            f"(limit {LOST_WITHIN:.0f} s)"
        )
        assert database.workers.get(by_pid[survivor.pid].worker_id).status is W.RUNNING

        assert survivor.stop() == 0, survivor.output()
        assert "draining" in survivor.output()
        assert database.workers.get(by_pid[survivor.pid].worker_id).status is W.STOPPED


def test_in_process_standalone_worker_follows_deployments_and_pool_size_and_stops_cleanly(
    fleet_settings: Settings, sqlite_url: str, task_queue: str
):
    settings = dataclasses.replace(fleet_settings, database_url=sqlite_url)
    stop = threading.Event()
    codes: list[int] = []
    with Database.open(sqlite_url) as database:
        thread = threading.Thread(
            target=lambda: codes.append(
                run_standalone_worker(
                    settings, task_queue=task_queue, stop_event=stop, reload_seconds=0.2
                )
            )
        )
        thread.start()
        try:
            # Nothing to serve yet: no worker. A deployment appears: it gets one, no restart.
            deploy(database, settings, task_queue=task_queue, graph=hello_graph())
            deadline = time.monotonic() + 15
            while not running_workers(database, task_queue):
                assert time.monotonic() < deadline, "no worker started for the deployment"
                time.sleep(0.1)
            [worker] = running_workers(database, task_queue)
            deploy(database, settings, task_queue=task_queue, graph=hello_graph())
            while {c.workflow_type for c in database.workers.capabilities(worker.worker_id)} != {
                "hello_activity_v1",
                "hello_activity_v2",
            }:
                assert time.monotonic() < deadline, "the second deployment was not applied"
                time.sleep(0.1)
            assert database.workers.get(worker.worker_id).status is W.RUNNING

            # The app scales the queue to a pool of two, then back to one: the process follows.
            database.task_queues.configure(task_queue, strategy=QueueStrategy.POOL, pool_size=2)
            while len(running_workers(database, task_queue)) != 2:
                assert time.monotonic() < deadline + 15, "the pool did not grow to two"
                time.sleep(0.1)
            database.task_queues.configure(task_queue, strategy=QueueStrategy.POOL, pool_size=1)
            while len(running_workers(database, task_queue)) != 1:
                assert time.monotonic() < deadline + 30, "the pool did not shrink to one"
                time.sleep(0.1)
            assert [w.worker_id for w in running_workers(database, task_queue)] == [
                worker.worker_id
            ]
        finally:
            stop.set()
            thread.join(30)
        assert codes == [0]
        assert all(w.status is W.STOPPED for w in database.workers.find(task_queue=task_queue))


def test_a_standalone_worker_told_to_serve_a_step_queue_runs_the_steps_activities_only(
    fleet_settings: Settings, sqlite_url: str, task_queue: str
):
    # Scaling a step out to another machine: the app's fleet serves the workflow's queue, a
    # standalone worker the queue its step names.
    settings = dataclasses.replace(fleet_settings, database_url=sqlite_url)
    steps = f"{task_queue}-steps"
    graph = hello_graph()
    next(n for n in graph["nodes"] if n["id"] == "greet")["params"]["task_queue"] = steps
    stop = threading.Event()
    codes: list[int] = []
    with Database.open(sqlite_url) as database, WorkerManager(settings, database) as app:
        deployed = deploy(
            database, settings, task_queue=task_queue, graph=graph, step_queues={steps: ["echo"]}
        )
        app.apply_queue(task_queue)  # the app serves only the workflow's own queue here
        thread = threading.Thread(
            target=lambda: codes.append(
                run_standalone_worker(settings, task_queue=steps, stop_event=stop)
            )
        )
        thread.start()
        try:
            deadline = time.monotonic() + 15
            while not running_workers(database, steps):
                assert time.monotonic() < deadline, "no worker started for the step queue"
                time.sleep(0.1)
            [worker] = running_workers(database, steps)
            assert database.workers.capabilities(worker.worker_id) == [
                Capability(deployed.workflow_type, "echo")
            ]

            async def run(client: Client) -> tuple[str, set[str]]:
                handle = await client.start_workflow(
                    deployed.workflow_type,
                    {"name": "Ann"},
                    id=f"steps-{uuid.uuid4().hex[:8]}",
                    task_queue=task_queue,
                )
                return await handle.result(), await identities_in([handle])

            result, identities = app.host.call(run(app.host.client))
            assert result == "Hello, Ann!"
            # The workflow task ran on the app's worker, the step on the standalone one.
            assert identities == {*app.worker_ids(task_queue), worker.worker_id}
        finally:
            stop.set()
            thread.join(30)
        assert codes == [0]
