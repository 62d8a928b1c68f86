"""An exported bundle's own worker.py serves runs with nothing but its files and temporalio,
and reaches a TLS-only server from the same environment variables as the app."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import trustme
from temporalio.client import Client

from core.activities import builtin_registry
from core.config import REPO_ROOT, load_settings
from core.runtime.runner import GraphFamily, compile_family
from core.temporal import EmbeddedTemporalServer
from core.temporal.connection import TemporalConnectionError, connect
from tests.tls_proxy import SERVER_NAME, tls_front, write_ca


@pytest.fixture
def family() -> GraphFamily:
    return compile_family(
        REPO_ROOT / "examples" / "hello_activity.json",
        registry=builtin_registry(),
        default_task_queue="unused-default",
    )


@pytest.mark.asyncio
async def test_exported_worker_py_serves_a_run(
    temporal_server: EmbeddedTemporalServer,
    temporal_client,
    task_queue,
    family: GraphFamily,
    tmp_path: Path,
):
    args = ["--address", temporal_server.address, "--task-queue", task_queue]
    with _bundle_worker(family, tmp_path, args=args, env={}) as log:
        assert await _greet(temporal_client, family, task_queue) == "Hello, Standalone!"
        assert f"polling {task_queue!r}" in log.read_text()


@pytest.mark.asyncio
async def test_exported_worker_py_reaches_a_tls_only_server_with_the_apps_settings(
    temporal_server: EmbeddedTemporalServer, task_queue, family: GraphFamily, tmp_path: Path
):
    ca = trustme.CA()
    with tls_front(temporal_server.address, ca) as address:
        # The app's alias for the CA variable, to show the bundle reads what the app reads.
        env = {
            "TEMPORAL_ADDRESS": address,
            "TEMPORAL_SERVER_ROOT_CA_PATH": str(write_ca(ca, tmp_path)),
            "TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
        }
        with pytest.raises(TemporalConnectionError):  # the front refuses plain gRPC
            await connect(load_settings({"TEMPORAL_ADDRESS": address}))
        client = await connect(load_settings(env))
        with _bundle_worker(family, tmp_path, args=["--task-queue", task_queue], env=env) as log:
            assert await _greet(client, family, task_queue) == "Hello, Standalone!"
            assert f"polling {task_queue!r} at {address}" in log.read_text()


async def _greet(client: Client, family: GraphFamily, task_queue: str) -> object:
    return await asyncio.wait_for(
        client.execute_workflow(
            family.main.workflow_type,
            {"name": "Standalone"},
            id=f"standalone-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=60),
        ),
        timeout=60,
    )


@contextmanager
def _bundle_worker(
    family: GraphFamily, tmp_path: Path, *, args: list[str], env: Mapping[str, str]
) -> Iterator[Path]:
    """Run the bundle's worker.py from its own folder; yield its log; Ctrl-C must end it."""
    bundle_dir = tmp_path / "bundle"
    bundle_dir.mkdir()
    for name, text in family.main.files.items():
        (bundle_dir / name).write_text(text)
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        # cwd and sys.path[0] are the bundle folder; the repo is not importable from there.
        worker = subprocess.Popen(
            [sys.executable, "worker.py", *args],
            cwd=bundle_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", **env},
        )
    try:
        yield log
    finally:
        worker.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = worker.wait(30)
    assert code == 0, log.read_text()
    assert time.monotonic() - started < 30
