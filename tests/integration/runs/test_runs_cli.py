"""``python -m core runs`` as a subprocess against the test server, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.config import REPO_ROOT
from core.db import ExecutionStatus
from core.executions import RunRef
from core.services import AppServices
from tests.integration.runs.helpers import deploy, eventually, example, failing_graph


@pytest.fixture
def cli(services: AppServices):
    """Run ``python -m core runs ...`` on the same database, server and deploy folder."""
    settings = services.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "WB_"))}
    env |= {
        "DATABASE_URL": settings.database_url,
        "TEMPORAL_ADDRESS": settings.temporal_address or "",
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        "WB_DATA_DIR": str(settings.data_dir),
        "DEPLOY_DIR": str(settings.deploy_dir),
        "WB_DEFAULT_TASK_QUEUE": settings.default_task_queue,
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "core", "runs", *args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def closed_run(services: AppServices, ref: RunRef) -> None:
    def recorded():
        record = services.console.find(ref.workflow_id, ref.run_id)
        return record.closed and record.details_synced

    eventually(recorded, what=f"{ref.workflow_id} recorded closed with its details")


def test_list_and_show_a_failed_run(services: AppServices, cli) -> None:
    failing = deploy(services, failing_graph("charge_flow"))
    hello = deploy(services, example("hello_activity"))
    failed = services.runs.start(failing, {})
    done = services.runs.start(hello, {"name": "Ann"})
    closed_run(services, failed)
    closed_run(services, done)

    listed = cli("list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "WORKFLOW",
        "ID",
        "RUN",
        "ID",
        "STATUS",
        "TRIGGER",
        "VERSION",
        "STARTED",
        "TOOK",
        "STEP",
    ]
    row = next(line for line in lines if failed.run_id in line)
    assert row.split()[2:5] == ["failed", "manual", "charge_flow_v1"]
    assert row.split()[-1] == "charge"
    assert lines[-1] == "2 of 2 runs"

    only_failed = cli("list", "--status", "failed", "canceled", "--json")
    assert only_failed.returncode == 0, only_failed.stderr
    payload = json.loads(only_failed.stdout)
    assert payload["total"] == 1
    [run] = payload["runs"]
    assert (run["run_id"], run["status"], run["failed_node_label"]) == (
        failed.run_id,
        "failed",
        "Charge card",
    )
    assert run["duration_s"] >= 0

    by_workflow = json.loads(cli("list", "--workflow", "hello_activity", "--json").stdout)
    assert [r["run_id"] for r in by_workflow["runs"]] == [done.run_id]
    assert cli("list", "--trigger", "schedule").stdout.strip() == "no runs"

    shown = cli("show", failed.workflow_id)
    assert shown.returncode == 0, shown.stderr
    assert "status:      failed" in shown.stdout
    assert "failed at:   charge (Charge card)" in shown.stdout
    assert "card declined" in shown.stdout
    steps = shown.stdout.split("steps:\n", 1)[1].splitlines()
    assert [line.split() for line in steps] == [
        ["start", "Start:", "completed"],
        ["greet", "Greet:", "completed"],
        ["charge", "Charge", "card:", "failed,", "card", "declined"],
        ["end", "End:", "not_reached"],
    ]

    as_json = json.loads(
        cli("show", failed.workflow_id, "--run-id", failed.run_id, "--json").stdout
    )
    assert as_json["exact"] is True
    assert as_json["failed_node_id"] == "charge"
    assert {n["node_id"]: n["state"] for n in as_json["nodes"]} == {
        "start": "completed",
        "greet": "completed",
        "charge": "failed",
        "end": "not_reached",
    }


def test_terminate_and_cancel_open_runs(services: AppServices, cli) -> None:
    approval = deploy(services, example("approval_signal"))
    first = services.runs.start(approval, {"request": "laptop"})
    second = services.runs.start(approval, {"request": "desk"})

    terminated = cli("terminate", first.workflow_id, "--run-id", first.run_id, "--reason", "test")
    assert terminated.returncode == 0, terminated.stderr
    assert terminated.stdout.strip() == f"terminated {first.workflow_id} (run {first.run_id})"
    # No --run-id: the newest run of that workflow id.
    cancelled = cli("cancel", second.workflow_id)
    assert cancelled.returncode == 0, cancelled.stderr
    assert cancelled.stdout.startswith(f"cancel requested for {second.workflow_id}")

    assert services.runs.wait(first, timeout=30).status == "terminated"
    assert services.runs.wait(second, timeout=30).status == "canceled"
    closed_run(services, first)
    assert services.console.find(first.workflow_id).status is ExecutionStatus.TERMINATED

    again = cli("terminate", first.workflow_id, "--run-id", first.run_id, "--reason", "again")
    assert again.returncode == 1
    assert again.stderr.startswith(f"error: terminate run {first.workflow_id}:")
    assert "Traceback" not in again.stderr


def test_user_errors_exit_1_or_2_without_a_traceback(services: AppServices, cli) -> None:
    missing = cli("show", "no-such-run")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: no run no-such-run")
    unknown = cli("list", "--workflow", "nope")
    assert (unknown.returncode, unknown.stderr) == (1, "error: no workflow named 'nope'\n")
    blank = cli("terminate", "x", "--reason", " ")
    assert blank.returncode == 2
    assert "--reason must say why" in blank.stderr
    no_reason = cli("terminate", "x")
    assert no_reason.returncode == 2
    assert "the following arguments are required: --reason" in no_reason.stderr
    for result in (missing, unknown, blank, no_reason):
        assert "Traceback" not in result.stderr
