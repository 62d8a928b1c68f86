"""A step whose worker dies mid-request runs again elsewhere within seconds, with the same key."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from temporalio.client import Client

from core.config import Settings
from core.db import Database, WorkerRecord, WorkerStatus

from .conftest import EXAMPLES, WorkerProcess, deploy

#: The step's own limit per attempt: without heartbeats, a lost attempt is retried after it.
START_TO_CLOSE = "5m"
#: What "within seconds" means here: the heartbeat timeout (10 s) plus time to notice and retry.
RETRY_WITHIN = 20.0


@dataclass(frozen=True)
class Received:
    """One request the test server got."""

    at: float
    idempotency_key: str | None


class StepServer:
    """An HTTP server that holds its first request until released and answers later ones."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.received.append(
                    Received(time.monotonic(), self.headers.get("Idempotency-Key"))
                )
                if len(server.received) == 1:
                    server.release.wait(60)  # the worker sending this dies meanwhile
                body = json.dumps({"attempt": len(server.received)}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the killed worker's connection: nobody is left to answer

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test output quiet

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/order"

    def close(self) -> None:
        self.release.set()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)


@pytest.fixture
def step_server() -> Iterator[StepServer]:
    server = StepServer()
    yield server
    server.close()


def wait_until(what: str, probe, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return found


def running(database: Database, task_queue: str) -> list[WorkerRecord]:
    return database.workers.find(task_queue=task_queue, statuses=[WorkerStatus.RUNNING])


@pytest.mark.fault
@pytest.mark.asyncio
async def test_a_killed_workers_request_is_retried_elsewhere_within_seconds_with_its_key(
    fleet_settings: Settings,
    sqlite_url: str,
    temporal_client: Client,
    task_queue: str,
    tmp_path: Path,
    processes: list[WorkerProcess],
    step_server: StepServer,
):
    graph = json.loads((EXAMPLES / "http_fetch_condition.json").read_text())
    graph["workflow"]["name"] = f"fetch_{uuid.uuid4().hex[:8]}"
    [fetch] = [node for node in graph["nodes"] if node["id"] == "fetch"]
    fetch["params"]["start_to_close_timeout"] = START_TO_CLOSE

    def start_worker(name: str) -> WorkerProcess:
        worker = WorkerProcess(
            fleet_settings,
            sqlite_url,
            task_queue,
            tmp_path / f"{name}.log",
            WB_HTTP_ALLOW="127.0.0.1",  # the test server is on loopback
        )
        processes.append(worker)
        return worker

    with Database.open(sqlite_url) as database:
        fetcher = deploy(database, fleet_settings, task_queue=task_queue, graph=graph)
        database.deployments.activate(fetcher.deployment.id)
        doomed = start_worker("doomed")
        wait_until("the first worker to run", lambda: running(database, task_queue))

        handle = await temporal_client.start_workflow(
            fetcher.workflow_type,
            {"url": step_server.url},
            id=f"fetch-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=90),
        )
        wait_until("the first attempt's request", lambda: step_server.received)
        start_worker("survivor")
        wait_until("the second worker to run", lambda: len(running(database, task_queue)) == 2)

        doomed.kill()  # SIGKILL while its request is under way
        killed_at = time.monotonic()
        wait_until("the retry's request", lambda: len(step_server.received) == 2, RETRY_WITHIN)
        first, retry = step_server.received
        retried_after = retry.at - killed_at
        print(f"request retried {retried_after:.1f} s after its worker was killed")
        assert retried_after < RETRY_WITHIN

        assert first.idempotency_key is not None
        assert retry.idempotency_key == first.idempotency_key
        assert await handle.result() == "ok: 0 characters"  # a JSON answer has no text
