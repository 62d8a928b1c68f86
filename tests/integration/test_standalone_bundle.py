"""An exported bundle's own worker.py serves runs with nothing but its files and temporalio."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from core.activities import builtin_registry
from core.config import REPO_ROOT
from core.runtime.runner import compile_family
from core.temporal import EmbeddedTemporalServer


@pytest.mark.asyncio
async def test_exported_worker_py_serves_a_run(
    temporal_server: EmbeddedTemporalServer, temporal_client, task_queue, tmp_path: Path
):
    family = compile_family(
        REPO_ROOT / "examples" / "hello_activity.json",
        registry=builtin_registry(),
        default_task_queue="unused-default",
    )
    bundle_dir = tmp_path / "bundle"
    bundle_dir.mkdir()
    for name, text in family.main.files.items():
        (bundle_dir / name).write_text(text)
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        # cwd and sys.path[0] are the bundle folder; the repo is not importable from there.
        worker = subprocess.Popen(
            [sys.executable, "worker.py", "--address", temporal_server.address]
            + ["--task-queue", task_queue],
            cwd=bundle_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin"},
        )
    try:
        result = await asyncio.wait_for(
            temporal_client.execute_workflow(
                family.main.workflow_type,
                {"name": "Standalone"},
                id=f"standalone-{uuid.uuid4()}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=60),
            ),
            timeout=60,
        )
        assert result == "Hello, Standalone!"
        assert f"polling {task_queue!r}" in log.read_text()
    finally:
        worker.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = worker.wait(30)
    assert code == 0, log.read_text()
    assert time.monotonic() - started < 30
