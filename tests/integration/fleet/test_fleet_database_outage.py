"""A standalone worker outlives a database outage: its runs go on, then it catches up."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.engine import make_url
from temporalio.client import Client

from core.config import Settings
from core.db import Database, WorkerStatus

from .conftest import WorkerProcess, deploy, hello_graph

T = TypeVar("T")
#: How long the database stays away (the issue's fault suite: 30 s).
OUTAGE_SECONDS = 30.0
RUNS = 20


class CuttableProxy:
    """A TCP relay to the database that the test can cut (every connection dropped, new ones
    refused) and restore on the same port: a database outage, as the worker sees it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.port = self._listen(0)

    def _listen(self, port: int) -> int:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return int(listener.getsockname()[1])

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut: the listener was closed
            upstream = socket.create_connection(self._target)
            with self._lock:
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # one side was cut or closed: the relay ends
        for end in (source, sink):
            end.close()

    def cut(self) -> None:
        assert self._listener is not None
        self._listener.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its pump
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def restore(self) -> None:
        self._listen(self.port)

    def close(self) -> None:
        self.cut()


@pytest.fixture
def proxy(database_url: str) -> Iterator[CuttableProxy]:
    url = make_url(database_url)
    relay = CuttableProxy((url.host or "127.0.0.1", url.port or 5432))
    yield relay
    relay.close()


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return found


@pytest.mark.fault
@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.asyncio
async def test_a_worker_serves_through_a_database_outage_and_catches_up(
    fleet_settings: Settings,
    database_url: str,
    proxy: CuttableProxy,
    temporal_client: Client,
    task_queue: str,
    tmp_path: Path,
    processes: list[WorkerProcess],
):
    through_proxy = (
        make_url(database_url)
        .set(host="127.0.0.1", port=proxy.port)
        .render_as_string(hide_password=False)
    )
    with Database.open(database_url) as database:
        hello = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
        database.deployments.activate(hello.deployment.id)
        worker = WorkerProcess(fleet_settings, through_proxy, task_queue, tmp_path / "w.log")
        processes.append(worker)
        [record] = wait_for(
            "the worker to run",
            lambda: database.workers.find(task_queue=task_queue, statuses=[WorkerStatus.RUNNING]),
        )

        async def start(i: int):
            return await temporal_client.start_workflow(
                hello.workflow_type,
                {"name": f"n{i}"},
                id=f"outage-{uuid.uuid4()}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=90),
            )

        proxy.cut()
        cut_at = time.monotonic()
        # Temporal does not need the database: runs started now complete during the outage.
        handles = [await start(i) for i in range(RUNS)]
        results = [await handle.result() for handle in handles]
        assert results == [f"Hello, n{i}!" for i in range(RUNS)]
        served_within = time.monotonic() - cut_at
        while time.monotonic() - cut_at < OUTAGE_SECONDS:
            assert worker.process.poll() is None, worker.output()
            time.sleep(0.5)
        proxy.restore()
        back_at = time.monotonic()

        # Heartbeats resume: the row is running with a heartbeat from after the outage.
        before = database.workers.get(record.worker_id).last_heartbeat
        wait_for(
            "a heartbeat after the outage",
            lambda: (
                (row := database.workers.get(record.worker_id)).last_heartbeat > before
                and row.status is WorkerStatus.RUNNING
            ),
        )
        heartbeat_after = time.monotonic() - back_at
        # Deployment updates resume too: a new version reaches the worker without a restart.
        newer = deploy(database, fleet_settings, task_queue=task_queue, graph=hello_graph())
        database.deployments.activate(newer.deployment.id)
        wait_for(
            "the worker to load the new version",
            lambda: (
                newer.workflow_type
                in {c.workflow_type for c in database.workers.capabilities(record.worker_id)}
            ),
        )
        assert worker.process.poll() is None
        output = worker.output()
        assert "database unavailable" in output and "database reachable again" in output
        print(
            f"outage {OUTAGE_SECONDS:g} s: {RUNS} runs started and completed during it "
            f"(all within {served_within:.1f} s), 0 lost; heartbeat {heartbeat_after:.1f} s "
            "after the database came back"
        )
        assert worker.stop() == 0, output
