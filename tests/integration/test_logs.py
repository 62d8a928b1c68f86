"""Logs of a real run on the dev server: JSON lines carry the run's ids, and an activity attempt
that fails as designed (then is retried) logs one line, not a traceback."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from core.config import Settings
from core.logs import LOG_FILE, setup_logging


@activity.defn(name="greet")
async def greet(name: str) -> str:
    activity.logger.info("greeting %s", name)
    return f"Hello, {name}"


@activity.defn(name="charge")
async def charge(amount: int) -> str:
    if activity.info().attempt == 1:
        raise ApplicationError("card declined", type="PaymentDeclined")
    return f"charged {amount}"


@workflow.defn(name="logs_demo_v3")
class LogsDemo:
    @workflow.run
    async def run(self, name: str) -> str:
        workflow.logger.info("starting for %s", name)
        options: dict[str, Any] = {
            "start_to_close_timeout": timedelta(seconds=10),
            "retry_policy": RetryPolicy(initial_interval=timedelta(milliseconds=100)),
        }
        greeting = await workflow.execute_activity(greet, name, **options)
        charged = await workflow.execute_activity(charge, 5, **options)
        return f"{greeting}; {charged}"


@pytest.fixture
def json_logs(temporal_settings: Settings, tmp_path: Path) -> Iterator[tuple[io.StringIO, Path]]:
    """JSON logging to a buffer and the data folder's log file, undone afterwards."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    settings = dataclasses.replace(temporal_settings, data_dir=tmp_path, log_format="json")
    setup_logging(settings, stream=stream)
    yield stream, tmp_path / LOG_FILE
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved[1])


@pytest.mark.asyncio
async def test_json_lines_carry_run_ids_and_an_expected_failure_is_one_line(
    temporal_client: Client, task_queue: str, json_logs: tuple[io.StringIO, Path]
):
    stream, log_file = json_logs
    async with Worker(
        temporal_client,
        task_queue=task_queue,
        workflows=[LogsDemo],
        activities=[greet, charge],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        handle = await temporal_client.start_workflow(
            LogsDemo.run, "Ann", id=f"logs-{uuid.uuid4()}", task_queue=task_queue
        )
        assert await handle.result() == "Hello, Ann; charged 5"

    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is JSON
    assert all({"timestamp", "level", "logger", "message"} <= line.keys() for line in lines)
    ours = [line for line in lines if line.get("workflow_id") == handle.id]

    greeting = next(line for line in ours if line["message"] == "greeting Ann")
    assert greeting["run_id"] == handle.result_run_id
    assert greeting["workflow_type"] == "logs_demo_v3"
    assert greeting["version"] == 3
    assert greeting["activity_type"] == "greet"
    assert greeting["attempt"] == 1
    assert greeting["logger"] == "temporalio.activity"

    started = next(line for line in ours if line["message"] == "starting for Ann")
    assert started["run_id"] == handle.result_run_id
    assert started["logger"] == "temporalio.workflow"

    failed = [line for line in ours if line["message"].startswith("Completing activity as failed")]
    assert failed == [
        {
            **failed[0],
            "level": "WARNING",
            "message": "Completing activity as failed: PaymentDeclined: card declined",
            "activity_type": "charge",
            "attempt": 1,
        }
    ]
    assert "exception" not in failed[0]
    assert "Traceback" not in text

    written = log_file.read_text(encoding="utf-8").splitlines()
    assert json.dumps(greeting, ensure_ascii=False) in written
