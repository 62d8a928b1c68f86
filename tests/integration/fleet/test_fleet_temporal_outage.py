"""A standalone worker outlives a Temporal outage: a version deployed meanwhile loads after."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from core.config import Settings
from core.db import Database, WorkerStatus
from core.temporal import EmbeddedTemporalServer, connect

from .conftest import WorkerProcess, deploy, hello_graph

T = TypeVar("T")
OUTAGE_SECONDS = 10.0


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return found


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[EmbeddedTemporalServer]:
    """A Temporal server of this test alone (it is stopped mid-test), keeping its state on disk
    so that it comes back with its namespace and runs."""
    server = EmbeddedTemporalServer(
        log_file=tmp_path / "temporal.log", db_filename=tmp_path / "temporal.db"
    )
    server.start()
    yield server
    server.stop()


def restart_on_same_port(server: EmbeddedTemporalServer, tmp_path: Path) -> EmbeddedTemporalServer:
    port = int(server.address.rsplit(":", 1)[1])
    again = EmbeddedTemporalServer(
        log_file=tmp_path / "temporal.log", db_filename=tmp_path / "temporal.db", port=port
    )
    again.start()
    return again


@pytest.mark.fault
@pytest.mark.asyncio
async def test_a_worker_outlives_a_temporal_outage_and_applies_what_was_deployed_meanwhile(
    fleet_settings: Settings,
    sqlite_url: str,
    own_server: EmbeddedTemporalServer,
    task_queue: str,
    tmp_path: Path,
    processes: list[WorkerProcess],
):
    settings = dataclasses.replace(fleet_settings, temporal_address=own_server.address)
    with Database.open(sqlite_url) as database:
        first = deploy(database, settings, task_queue=task_queue, graph=hello_graph())
        database.deployments.activate(first.deployment.id)
        worker = WorkerProcess(settings, sqlite_url, task_queue, tmp_path / "w.log")
        processes.append(worker)
        [record] = wait_for(
            "the worker to run",
            lambda: database.workers.find(task_queue=task_queue, statuses=[WorkerStatus.RUNNING]),
        )

        own_server.stop()
        down_at = time.monotonic()
        # Deployed while Temporal is away: the worker cannot confirm a new worker polls.
        second = deploy(database, settings, task_queue=task_queue, graph=hello_graph())
        database.deployments.activate(second.deployment.id)
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            assert worker.process.poll() is None, worker.output()
            time.sleep(0.5)
        server = restart_on_same_port(own_server, tmp_path)
        back_at = time.monotonic()
        try:
            wait_for(
                "the worker to load the version deployed during the outage",
                lambda: (
                    second.workflow_type
                    in {c.workflow_type for c in database.workers.capabilities(record.worker_id)}
                ),
                timeout=90,
            )
            loaded_after = time.monotonic() - back_at
            client = await connect(settings)
            for deployed in (first, second):
                result = await client.execute_workflow(
                    deployed.workflow_type,
                    {"name": "Ann"},
                    id=f"after-outage-{uuid.uuid4()}",
                    task_queue=task_queue,
                    execution_timeout=timedelta(seconds=30),
                )
                assert result == "Hello, Ann!"
            assert worker.process.poll() is None
            assert "trying again later" in worker.output()
            print(
                f"Temporal away {OUTAGE_SECONDS:g} s; the version deployed meanwhile loaded "
                f"{loaded_after:.1f} s after it came back"
            )
            assert worker.stop() == 0, worker.output()
        finally:
            server.stop()
