"""`python -m core run` and `python -m core worker` as subprocesses against the test server."""

from __future__ import annotations

import json
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
from tests.integration.cli import core_cli

EXAMPLES = REPO_ROOT / "examples"


def test_run_prints_the_result_and_exits_0(cli_env, task_queue):
    done = core_cli(
        "run",
        str(EXAMPLES / "hello_activity.json"),
        "--input",
        '{"name":"Ann"}',
        "--task-queue",
        task_queue,
        env=cli_env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "Hello, Ann!"
    assert f"completed on {task_queue}" in done.stderr


def test_run_starts_child_workflows_from_sibling_graphs(cli_env, task_queue):
    done = core_cli(
        "run",
        str(EXAMPLES / "child_workflow.json"),
        "--input",
        '{"name": "Kid"}',
        "--task-queue",
        task_queue,
        env=cli_env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "child said: Hello, Kid!"


def test_a_failing_run_prints_the_cause_chain_and_exits_1(cli_env, task_queue, tmp_path):
    graph = tmp_path / "always_fails.json"
    graph.write_text(_FAILING_GRAPH)
    done = core_cli("run", str(graph), "--input", "{}", "--task-queue", task_queue, env=cli_env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("workflow always_fails-"))
    assert lines[first].endswith(" failed at step 'boom' (Boom): nothing works")
    assert lines[first + 1 :] == [
        "  WorkflowFailureError: Workflow execution failed",
        "  caused by ActivityError: Activity task failed",
        "  caused by ApplicationError(Broken): nothing works",
    ]


def test_run_rejects_input_that_is_not_a_json_object(cli_env):
    done = core_cli("run", str(EXAMPLES / "hello_activity.json"), "--input", "[1]", env=cli_env)
    assert done.returncode == 2
    assert "input: must be a JSON object of input fields" in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_removes_its_temporary_bundles(cli_env, task_queue, tmp_path, signum):
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "core", "run", str(EXAMPLES / "approval_signal.json")]
        + ["--input", '{"request": "a day off"}', "--task-queue", task_queue],
        cwd=REPO_ROOT,
        env={**cli_env, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        # The run waits for its approval signal once its bundle is loaded and served.
        while not any(temp.glob("wb-run-*/*/workflow.py")) and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        assert any(temp.glob("wb-run-*")), "the run never wrote its bundles"
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not any(temp.glob("wb-run-*"))


@pytest.mark.parametrize("command", ["run", "worker"])
def test_help(command, cli_env):
    done = core_cli(command, "--help", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert f"python -m core {command}" in done.stdout


@pytest.mark.asyncio
async def test_worker_serves_bundle_folders_until_sigterm(
    cli_env, temporal_client, task_queue, tmp_path
):
    family = compile_family(
        EXAMPLES / "child_workflow.json", registry=builtin_registry(), default_task_queue="x"
    )
    folders = []
    for bundle in family.bundles:
        folder = tmp_path / "export" / bundle.workflow_type
        folder.mkdir(parents=True)
        for name, text in bundle.files.items():
            (folder / name).write_text(text)
        folders += ["--bundle", str(folder)]
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "core", "worker", "--task-queue", task_queue, *folders],
            cwd=REPO_ROOT,
            env=cli_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        result = await temporal_client.execute_workflow(
            family.main.workflow_type,
            {"name": "Fleet"},
            id=f"cli-worker-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=60),
        )
        assert result == "child said: Hello, Fleet!"
    finally:
        worker.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = worker.wait(60)
    output = log.read_text()
    assert code == 0, output
    assert time.monotonic() - started < 30
    assert f"worker polling {task_queue}" in output
    assert "workflows child_workflow, hello_activity; activities echo" in output
    assert output.rstrip().endswith("worker stopped")
    # The bundles were copied into DEPLOY_DIR as immutable packages.
    stored = sorted(p.name for p in (Path(cli_env["WB_DATA_DIR"]) / "deployments").iterdir())
    assert [name.rsplit("_", 1)[0] for name in stored] == ["wf_child_workflow", "wf_hello_activity"]


_FAILING_GRAPH = """{
  "format": "workflow-builder/1",
  "workflow": {"name": "always_fails", "description": "", "task_queue": null,
               "signals": [], "queries": []},
  "nodes": [
    {"id": "start", "type": "start", "label": "Start", "position": {"x": 0, "y": 0},
     "params": {"input_fields": []}},
    {"id": "boom", "type": "activity", "label": "Boom", "position": {"x": 200, "y": 0},
     "params": {"activity": "fail", "retry": {"max_attempts": 1},
                "args": {"message": "nothing works", "error_type": "Broken"}}},
    {"id": "end", "type": "end", "label": "End", "position": {"x": 400, "y": 0},
     "params": {"result": "'unreachable'"}}
  ],
  "edges": [
    {"id": "e1", "source": "start", "target": "boom", "handle": "next"},
    {"id": "e2", "source": "boom", "target": "end", "handle": "next"}
  ]
}
"""
