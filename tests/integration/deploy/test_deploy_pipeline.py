"""Deploying on a real dev server: version-safe redeploys, failures, no-op deploys, rollback."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.client import Client

from core.db import DeploymentStatus
from core.deploy import DeployError, DeployResult, DeployStep, StepStatus
from core.fleet import WorkerStartError
from core.validation import GraphInvalidError
from tests.integration.deploy.helpers import DeployWorld, node, wait_until

APPROVE = {"approved": True, "by": "ann"}


def shout_approvals(document: dict) -> None:
    """The v2 change: approvals are announced in capitals."""
    node(document, "approved")["params"]["expression"] = "'APPROVED by ' + decision.by"


def start(world: DeployWorld, deployed: DeployResult, request: str) -> str:
    workflow_id = f"{deployed.workflow_type}-{uuid.uuid4().hex[:8]}"

    async def go(client: Client) -> None:
        await client.start_workflow(
            deployed.workflow_type,
            {"request": request, "timeout_seconds": 120},
            id=workflow_id,
            task_queue=deployed.deployment.task_queue,
        )

    world.temporal(go)
    return workflow_id


def approve_and_wait(world: DeployWorld, workflow_id: str) -> Any:
    async def go(client: Client) -> Any:
        handle = client.get_workflow_handle(workflow_id)
        await handle.signal("approve", APPROVE)
        return await handle.result()

    return world.temporal(go)


def query_status(world: DeployWorld, workflow_id: str) -> Any:
    async def go(client: Client) -> Any:
        return await client.get_workflow_handle(workflow_id).query("status")

    return world.temporal(go)


def served_types(world: DeployWorld) -> set[str]:
    return {t for worker in world.manager.host.workers() for t in worker.workflow_types}


def test_redeploy_keeps_open_runs_on_their_version_and_retires_it_after(world: DeployWorld):
    workflow = world.create("approval_signal")
    reports: list[DeployStep] = []
    v1 = world.service.deploy(workflow.id, progress=reports.append)
    assert (v1.version.version, v1.new_version, v1.unchanged) == (1, True, False)
    assert v1.workflow_type == f"{workflow.name}_v1"
    assert [s.name for s in v1.steps] == ["validate", "compile", "write", "import", "load", "ready"]
    assert all(s.status is StepStatus.DONE for s in v1.steps)
    assert [(r.name, r.status) for r in reports[:2]] == [
        ("validate", StepStatus.RUNNING),
        ("validate", StepStatus.DONE),
    ]

    old_run = start(world, v1, "laptop")
    wait_until(lambda: query_status(world, old_run) == "waiting", "the v1 run to wait")

    world.edit_draft(workflow.id, shout_approvals)
    v2 = world.service.deploy(workflow.id)
    assert v2.version.version == 2 and v2.workflow_type == f"{workflow.name}_v2"
    assert v2.previous is not None and v2.previous.status is DeploymentStatus.DRAINING
    assert served_types(world) == {v1.workflow_type, v2.workflow_type}
    # Draining keeps v1 loaded while its run is open.
    assert world.service.retire_drained() == []

    new_run = start(world, v2, "desk")
    assert approve_and_wait(world, old_run) == {"request": "laptop", "status": "approved by ann"}
    assert approve_and_wait(world, new_run) == {"request": "desk", "status": "APPROVED by ann"}

    retired = wait_until(world.service.retire_drained, "v1 to be retired")
    assert [d.workflow_type for d in retired] == [v1.workflow_type]
    assert served_types(world) == {v2.workflow_type}
    statuses = {d.workflow_type: d.status for d in world.service.deployments(workflow.id)}
    assert statuses == {
        v1.workflow_type: DeploymentStatus.RETIRED,
        v2.workflow_type: DeploymentStatus.ACTIVE,
    }


def test_unchanged_graph_creates_no_version(world: DeployWorld):
    workflow = world.create("hello_activity")
    first = world.service.deploy(workflow.id)
    again = world.service.deploy(workflow.id)
    assert again.unchanged and not again.new_version
    assert again.deployment.id == first.deployment.id
    assert [s.name for s in again.steps] == ["validate", "compile", "ready"]

    # Moving boxes on the canvas changes no behaviour either.
    world.edit_draft(workflow.id, lambda d: node(d, "greet")["position"].update(x=999))
    assert world.service.deploy(workflow.id).unchanged
    assert [v.version for v in world.service.versions(workflow.id)] == [1]


def test_a_graph_that_fails_validation_creates_nothing_and_keeps_v1(world: DeployWorld):
    workflow = world.create("hello_activity")
    v1 = world.service.deploy(workflow.id)
    world.edit_draft(workflow.id, lambda d: node(d, "greet")["params"].update(activity="nope"))
    reports: list[DeployStep] = []
    with pytest.raises(GraphInvalidError, match="nope"):
        world.service.deploy(workflow.id, progress=reports.append)
    assert (reports[-1].name, reports[-1].status) == ("validate", StepStatus.FAILED)
    assert [v.version for v in world.service.versions(workflow.id)] == [1]
    assert world.service.active(workflow.id) == v1.deployment


def test_a_worker_failure_marks_the_deployment_failed_and_v1_keeps_serving(
    world: DeployWorld, monkeypatch: pytest.MonkeyPatch
):
    workflow = world.create("approval_signal")
    v1 = world.service.deploy(workflow.id)
    world.edit_draft(workflow.id, shout_approvals)
    real_apply = world.manager.apply_queue
    calls: list[str] = []

    def failing_once(task_queue: str):
        calls.append(task_queue)
        if len(calls) == 1:
            raise WorkerStartError("Temporal said no", task_queue=task_queue, worker_id="w-1")
        return real_apply(task_queue)

    monkeypatch.setattr(world.manager, "apply_queue", failing_once)
    with pytest.raises(DeployError, match="could not load version 2.*Temporal said no") as info:
        world.service.deploy(workflow.id)
    assert info.value.step == "load"
    assert len(calls) == 2  # the second call restored the previous set
    failed = world.service.deployments(workflow.id)[0]
    assert failed.status is DeploymentStatus.FAILED and "Temporal said no" in failed.error
    assert world.service.active(workflow.id).id == v1.deployment.id

    run = start(world, v1, "chair")
    assert approve_and_wait(world, run)["status"] == "approved by ann"

    # Deploying again retries version 2 rather than numbering a new one.
    retry = world.service.deploy(workflow.id)
    assert (retry.version.version, retry.new_version) == (2, False)


def test_rollback_deploys_the_old_graph_as_a_new_version(world: DeployWorld):
    workflow = world.create("approval_signal")
    world.service.deploy(workflow.id)
    world.edit_draft(workflow.id, shout_approvals)
    world.service.deploy(workflow.id)
    back = world.service.rollback(workflow.id, 1)
    assert back.version.version == 3 and back.new_version
    assert back.version.graph == world.service.versions(workflow.id)[-1].graph
    # The version says where it came from; deploys of the draft say nothing.
    assert [v.rollback_of for v in world.service.versions(workflow.id)] == [1, None, None]
    run = start(world, back, "lamp")
    assert approve_and_wait(world, run)["status"] == "approved by ann"
    with pytest.raises(DeployError, match="no version 9 \\(versions: 1, 2, 3\\)"):
        world.service.rollback(workflow.id, 9)


def test_diff_lists_changed_params_and_code(world: DeployWorld):
    workflow = world.create("approval_signal")
    world.service.deploy(workflow.id)
    world.edit_draft(workflow.id, shout_approvals)
    world.service.deploy(workflow.id)
    diff = world.service.diff(workflow.id, 1, 2)
    assert [c.id for c in diff.graph.nodes_changed] == ["approved"]
    change = diff.graph.nodes_changed[0].changes[0]
    assert change.path == "params.expression" and change.new == "'APPROVED by ' + decision.by"
    assert not diff.graph.nodes_added and not diff.graph.edges_changed
    assert (
        '+                    self.vars["status"] = _add("APPROVED by "' in diff.code["workflow.py"]
    )
    assert diff.code["activities.py"] == ""


def test_a_workflow_without_activities_deploys(world: DeployWorld):
    workflow = world.create("approval_signal")
    assert world.service.deploy(workflow.id).version.version == 1


def test_a_version_number_taken_by_another_process_fails_the_deploy_without_a_stray_version(
    world: DeployWorld,
):
    workflow = world.create("hello_activity")

    def other_process_takes_the_number(step: DeployStep) -> None:
        # Between compiling (for version 1) and recording the version, as another process can.
        if (step.name, step.status) == ("load", StepStatus.RUNNING):
            world.database.versions.create_next(
                workflow.id, graph={}, graph_hash="g", bundle_hash="b", compiler_version="1"
            )

    with pytest.raises(DeployError, match="another deploy created version 1 meanwhile") as caught:
        world.service.deploy(workflow.id, progress=other_process_takes_the_number)

    assert caught.value.step == "load"
    assert [v.bundle_hash for v in world.database.versions.find(workflow.id)] == ["b"]
    assert world.database.deployments.find(workflow_id=workflow.id) == []
