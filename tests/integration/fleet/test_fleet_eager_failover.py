"""A run started eagerly by a console process that dies mid-way completes on another worker,
its local step included (issue 17: the short paths keep Temporal's durability)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from core.config import Settings
from core.db import Database, WorkerStatus
from core.runs.trace import LOCAL_ACTIVITY_MARKER

from .conftest import WorkerProcess, deploy, hello_graph

CONSOLE = Path(__file__).with_name("eager_console.py")
#: The dead worker's sticky queue holds the next workflow task this long (temporalio's
#: default schedule-to-start timeout, 10 s) before any worker may take it; plus the timer.
COMPLETES_WITHIN = 30.0


def wait_until(what: str, probe, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return found


@pytest.mark.fault
@pytest.mark.asyncio
async def test_an_eager_run_whose_console_dies_mid_way_completes_on_another_worker(
    fleet_settings: Settings,
    sqlite_url: str,
    temporal_client: Client,
    task_queue: str,
    tmp_path: Path,
    processes: list[WorkerProcess],
):
    # start -> pause (a 3 s timer) -> greet (echo: a local step) -> end
    graph = hello_graph(f"greeter_{uuid.uuid4().hex[:8]}", pause="3s")
    with Database.open(sqlite_url) as database:
        deployed = deploy(database, fleet_settings, task_queue=task_queue, graph=graph)
        database.deployments.activate(deployed.deployment.id)
        workflow_id = database.workflows.get_by_name(graph["workflow"]["name"]).id

        def running() -> list:
            return database.workers.find(task_queue=task_queue, statuses=[WorkerStatus.RUNNING])

        # The other worker polls first: the console must still get the run, by eager start.
        survivor = WorkerProcess(fleet_settings, sqlite_url, task_queue, tmp_path / "worker.log")
        processes.append(survivor)
        wait_until("the other worker to run", running)
        console = WorkerProcess(
            fleet_settings,
            sqlite_url,
            task_queue,
            tmp_path / "console.log",
            command=(str(CONSOLE), str(workflow_id), json.dumps({"name": "Ann"})),
        )
        processes.append(console)
        line = wait_until("the console to start the run", lambda: console.output().strip())
        started = json.loads(line.splitlines()[-1])
        handle = temporal_client.get_workflow_handle(
            started["workflow_id"], run_id=started["run_id"]
        )

        async def event_types() -> list[int]:
            return [event.event_type async for event in handle.fetch_history_events()]

        # The console's worker took the first workflow task from the start reply and started
        # the timer; it dies before the timer fires.
        deadline = time.monotonic() + 30
        while EventType.EVENT_TYPE_TIMER_STARTED not in await event_types():
            assert time.monotonic() < deadline, f"no timer started:\n{console.output()}"
            time.sleep(0.05)
        console.kill()
        killed_at = time.monotonic()

        assert await handle.result(rpc_timeout=None) == "Hello, Ann!"
        took = time.monotonic() - killed_at
        print(f"the run completed {took:.1f} s after its console was killed")
        assert took < COMPLETES_WITHIN

    events = [event async for event in handle.fetch_history_events()]
    assert events[0].workflow_execution_started_event_attributes.eager_execution_accepted
    tasks = [e for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED]
    first, last = (e.workflow_task_started_event_attributes.identity for e in (tasks[0], tasks[-1]))
    assert str(survivor.pid) in last and str(survivor.pid) not in first
    # The greeting ran on the survivor as a local activity.
    [marker] = [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
    assert marker.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
