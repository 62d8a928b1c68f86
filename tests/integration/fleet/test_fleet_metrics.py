"""A standalone worker with WB_METRICS_ADDRESS serves temporalio's and Workflow Builder's series."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from temporalio.client import Client

from core.config import Settings
from core.db import Database

from .conftest import deploy, hello_graph

ROOT = Path(__file__).resolve().parents[3]


def scrape(address: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://{address}/metrics", timeout=2) as answer:
            return answer.read().decode()
    except OSError:
        return None


def wait_for(what: str, probe: Callable[[], str | None], log: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout} s; worker output:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.mark.asyncio
async def test_worker_metrics_carry_temporal_and_product_series(
    fleet_settings: Settings, sqlite_url: str, tmp_path: Path, free_port: Callable[[], int]
):
    queue = f"test-{uuid.uuid4()}"
    with Database.open(sqlite_url) as database:
        deployed = deploy(database, fleet_settings, task_queue=queue, graph=hello_graph())
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": sqlite_url,
        "TEMPORAL_ADDRESS": str(fleet_settings.temporal_address),
        "TEMPORAL_NAMESPACE": fleet_settings.temporal_namespace,
        "WB_DATA_DIR": str(tmp_path / "data"),
        "DEPLOY_DIR": str(fleet_settings.deploy_dir),
        "WB_METRICS_ADDRESS": address,
    }
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "core", "worker", "--task-queue", queue],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            "running worker in the metrics",
            lambda: (page := scrape(address)) and 'wb_workers{status="running"} 1.0' in page,
            log,
        )
        client = await Client.connect(
            str(fleet_settings.temporal_address), namespace=fleet_settings.temporal_namespace
        )
        result = await client.execute_workflow(
            deployed.workflow_type, {"name": "Ann"}, id=f"metrics-{uuid.uuid4()}", task_queue=queue
        )
        assert "Ann" in str(result)
        page = wait_for(
            "temporal_workflow_completed",
            lambda: (page := scrape(address)) and "temporal_workflow_completed" in page and page,
            log,
        )
        assert f'task_queue="{queue}"' in page  # temporalio's series, labelled by queue
        assert "temporal_request" in page
        assert "# TYPE wb_deploys_total counter" in page  # the product's own
        assert "# TYPE wb_runs_started_total counter" in page
        assert "wb_run_monitor_lag_seconds" in page  # this worker holds the monitor lease
    finally:
        worker.terminate()
        assert worker.wait(30) == 0, log.read_text()
