"""A secret used in a real run: the server it is meant for receives it, and it is found nowhere
else: not in the database, the bundle files, the export, Temporal's history or the logs."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import logging
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from core.db import ExecutionStatus
from core.deploy import DeployError
from core.logs import LOG_FILE, setup_logging
from core.secrets import SecretValue
from core.services import AppServices
from tests.integration.runs.helpers import deploy

FIRST = "first-Secret-value-4d1f0c"
SECOND = "second-Secret-value-9a7e2b"


class _Receiver(BaseHTTPRequestHandler):
    """Records the Authorization header of each request; answers without repeating it."""

    received: list[str] = []

    def do_GET(self) -> None:
        type(self).received.append(self.headers.get("Authorization", ""))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    """A local server (allowed to http_request) and the Authorization headers it received."""
    monkeypatch.setenv("WB_HTTP_ALLOW", "127.0.0.1")
    received: list[str] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def captured_logs(services: AppServices) -> Iterator[io.StringIO]:
    """Every log line of the test at DEBUG level, to a buffer and to the data folder's file."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    settings = dataclasses.replace(services.settings, log_level="DEBUG")
    setup_logging(settings, stream=stream)
    yield stream
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[1])


def calling(url: str, name: str, *, secret: str = "crm_token") -> dict[str, Any]:
    """start -> GET url with an Authorization header from the secret -> end (the status)."""
    token = f'"Bearer " + secret("{secret}")'
    headers = '{"Authorization": ' + token + ', "Accept": "application/json"}'
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "description": "", "task_queue": None},
        "nodes": [
            {"id": "start", "type": "start", "label": "Start", "params": {}},
            {
                "id": "call",
                "type": "activity",
                "label": "Call the CRM",
                "params": {
                    "activity": "http_request",
                    "args": {"method": "GET", "url": f"{url}/crm", "headers": {"expr": headers}},
                    "result_variable": "response",
                    "retry": {"max_attempts": 1},
                },
            },
            {"id": "end", "type": "end", "label": "End", "params": {"result": "response.status"}},
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "call"},
            {"id": "e2", "source": "call", "target": "end"},
        ],
    }


def run_once(services: AppServices, workflow_id: int) -> Any:
    ref = services.runs.start(workflow_id, {})
    return services.runs.wait(ref, timeout=60)


def database_text(services: AppServices, data_dir: Path) -> bytes:
    """The database as bytes: SQLite's files raw, or every PostgreSQL row as text."""
    engine = services.database.engine
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    dump: list[str] = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            rows = connection.execute(text(f'SELECT t::text FROM "{table}" t')).scalars()
            dump.extend(rows)
    return "\n".join(dump).encode()


def histories(services: AppServices, workflow_ids: list[str]) -> bytes:
    """The runs' histories as JSON, followed by every payload in it decoded (JSON holds them
    in base64)."""
    gateway = services.temporal.gateway

    async def fetch(workflow_id: str) -> str:
        handle = gateway.client.get_workflow_handle(workflow_id)
        return (await handle.fetch_history()).to_json()

    found = "\n".join(gateway.call(fetch(w)) for w in workflow_ids)
    payloads = [base64.b64decode(data) for data in re.findall(r'"data": "([^"]*)"', found)]
    return b"\n".join([found.encode(), *payloads])


def files_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_secret_reaches_its_server_and_nowhere_else_and_rotation_applies(
    services: AppServices,
    receiver: tuple[str, list[str]],
    captured_logs: io.StringIO,
    task_queue: str,
) -> None:
    url, received = receiver
    name = f"crm_{task_queue[-8:].replace('-', '_')}"
    services.secrets.create("crm_token", SecretValue(FIRST))
    workflow_id = deploy(services, calling(url, name))

    first = run_once(services, workflow_id)
    services.secrets.rotate("crm_token", SecretValue(SECOND))
    second = run_once(services, workflow_id)

    assert (first.status, first.result) == (ExecutionStatus.COMPLETED, 200)
    assert (second.status, second.result) == (ExecutionStatus.COMPLETED, 200)
    assert received == [f"Bearer {FIRST}", f"Bearer {SECOND}"]
    [listed] = services.secrets.list()
    assert (listed.name, listed.used_by) == ("crm_token", (name,))
    assert listed.rotated_at is not None

    data_dir = services.settings.data_dir
    places = {
        "database": database_text(services, data_dir),
        "bundle files": files_under(services.settings.deploy_dir),
        "export zip": services.deploy.export(workflow_id, 1),
        "history": histories(services, [first.ref.workflow_id, second.ref.workflow_id]),
        "logs": captured_logs.getvalue().encode() + (data_dir / LOG_FILE).read_bytes(),
    }
    for place, content in places.items():
        for value in (FIRST, SECOND):
            assert value.encode() not in content, f"the secret's value is in the {place}"
    # The searches can see: the name is in each place that holds the graph or its code.
    for place in ("database", "bundle files", "history"):
        assert b"crm_token" in places[place], place
    assert b'{"$secret": "crm_token", "before": "Bearer "}' in places["bundle files"]
    assert b'"$secret_paths":[[["headers","Authorization"],"crm_token"]]' in places["history"]


def test_a_deploy_naming_a_missing_secret_fails_and_a_deleted_one_fails_the_step(
    services: AppServices, receiver: tuple[str, list[str]], task_queue: str
) -> None:
    url, received = receiver
    suffix = task_queue[-8:].replace("-", "_")
    workflow = services.workflows.create(name=f"missing_{suffix}")
    services.workflows.save_draft(workflow.id, calling(url, f"missing_{suffix}", secret="nope"))

    with pytest.raises(DeployError, match="secret\\(s\\) that do not exist: 'nope'") as error:
        services.deploy.deploy(workflow.id)
    assert error.value.step == "validate"

    services.secrets.create("gone_soon", SecretValue(FIRST))
    workflow_id = deploy(services, calling(url, f"deleted_{suffix}", secret="gone_soon"))
    services.secrets.delete("gone_soon")
    state = run_once(services, workflow_id)

    assert state.status is ExecutionStatus.FAILED
    assert "secret 'gone_soon' does not exist" in json.dumps(state.error)
    assert received == []
