"""Fault: the app SIGKILLed in the middle of a deploy. At its next start no deployment is left
pending, the previous version serves (schedule included), and deploying again succeeds."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.config import Settings
from core.db import DeploymentStatus
from core.services import AppServices, build_services
from tests.integration.test_services import app_settings

ROOT = Path(__file__).resolve().parents[2]

#: Deploys the workflow given and SIGKILLs itself when the named step reports the status.
_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from core.config import load_settings
    from core.services import build_services

    workflow_id, kill_at = int(sys.argv[1]), sys.argv[2]

    def progress(step):
        if f"{step.name}:{step.status}" == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    services = build_services(load_settings())
    services.deploy.deploy(workflow_id, progress=progress)
    print("the deploy finished: the kill point was never reached", flush=True)
    """
)


def _edit(services: AppServices, workflow_id: int, node_id: str, arg: str) -> None:
    """Change one activity argument, so the next deploy makes a new version."""
    document = services.workflows.get(workflow_id).draft_graph
    for node in document["nodes"]:
        if node["id"] == node_id:
            node["params"]["args"][arg] = {"expr": "'changed'"}
    services.workflows.save_draft(workflow_id, document)


@pytest.mark.fault
@pytest.mark.parametrize(
    ("example", "step", "arg", "kill_at"),
    [
        ("hello_activity", "greet", "value", "load:running"),
        ("hello_activity", "greet", "value", "load:done"),
        ("scheduled_report", "report", "message", "schedule:done"),
        ("hello_activity", "greet", "value", "ready:running"),
    ],
)
def test_a_deploy_killed_at_any_step_leaves_the_previous_version_serving(
    temporal_settings: Settings, tmp_path: Path, example: str, step: str, arg: str, kill_at: str
) -> None:
    settings = app_settings(temporal_settings, tmp_path)
    services = build_services(settings)
    try:
        workflow = services.workflows.create_from_example(example, name="victim")
        first = services.deploy.deploy(workflow.id)
        _edit(services, workflow.id, step, arg)
    finally:
        services.close()

    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": settings.temporal_address or "",
        "WB_DATA_DIR": str(settings.data_dir),
        "WB_DEFAULT_TASK_QUEUE": settings.default_task_queue,
        "PYTHONPATH": str(ROOT),
    }
    began = time.monotonic()
    killed = subprocess.run(
        [sys.executable, "-c", _KILLER, str(workflow.id), kill_at],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stdout + killed.stderr

    again = build_services(settings)
    try:
        again.temporal  # noqa: B018 -- starting the Temporal side is when the app recovers
        deployments = again.database.deployments.find(workflow_id=workflow.id)
        assert DeploymentStatus.PENDING not in {d.status for d in deployments}
        active = again.database.deployments.active_for_workflow(workflow.id)
        assert active is not None and active.id == first.deployment.id
        if example == "scheduled_report":
            status = again.schedules.status("victim")
            assert status is not None and status.workflow_type == first.workflow_type
        else:
            ref = again.runs.start(workflow.id, {"name": "Ann"})
            assert again.runs.wait(ref, timeout=30).result == "Hello, Ann!"

        redeployed = again.deploy.deploy(workflow.id)
        assert redeployed.deployment.status is DeploymentStatus.ACTIVE
        assert redeployed.workflow_type != first.workflow_type
        if example != "scheduled_report":
            ref = again.runs.start(workflow.id, {"name": "Ann"})
            assert again.runs.wait(ref, timeout=30).result == "changed"
    finally:
        again.close()
    print(f"killed at {kill_at}: recovered and redeployed in {time.monotonic() - began:.1f} s")
