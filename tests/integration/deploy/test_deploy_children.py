"""Deploying a graph with a child workflow node: the child's active deployment is what it starts."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from core.compiler import ChildTarget, children_of
from core.db import WorkflowRecord
from core.deploy import DeployError, DeployResult, StepStatus
from core.runtime import read_bundle
from tests.integration.deploy.helpers import DeployWorld, example_document, node

CHILD = "hello_activity"  # the workflow the child_workflow example starts


def create_child(world: DeployWorld) -> WorkflowRecord:
    """The ``hello_activity`` example under its own name, as the parent's node names it."""
    return world.database.workflows.create(name=CHILD, graph=example_document(CHILD))


def run_parent(world: DeployWorld, deployed: DeployResult, name: str) -> tuple[Any, Any]:
    """Run the parent to its end; its result and the description of the child it started."""
    workflow_id = f"{deployed.workflow_type}-{uuid.uuid4().hex[:8]}"

    async def go(client: Client) -> tuple[Any, Any]:
        handle = await client.start_workflow(
            deployed.workflow_type,
            {"name": name},
            id=workflow_id,
            task_queue=deployed.deployment.task_queue,
        )
        result = await handle.result()
        history = await handle.fetch_history()
        [started] = [
            event.child_workflow_execution_started_event_attributes
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED
        ]
        child = client.get_workflow_handle(started.workflow_execution.workflow_id)
        return result, await child.describe()

    return world.temporal(go)


def test_a_deployed_parent_starts_the_childs_active_version_on_its_queue(world: DeployWorld):
    child = world.service.deploy(create_child(world).id)
    parent_workflow = world.create("child_workflow")

    parent = world.service.deploy(parent_workflow.id)

    assert children_of(parent.version.build_options) == {
        CHILD: ChildTarget(
            workflow_type=child.workflow_type, task_queue=child.deployment.task_queue
        )
    }
    assert parent.deployment.task_queue != child.deployment.task_queue
    result, started = run_parent(world, parent, "Ann")
    assert result == "child said: Hello, Ann!"
    assert (started.workflow_type, started.task_queue) == (
        f"{CHILD}_v1",
        child.deployment.task_queue,
    )


@pytest.mark.parametrize("child_exists", [True, False], ids=["undeployed", "missing"])
def test_deploying_the_parent_before_its_child_fails_at_compile_and_creates_nothing(
    world: DeployWorld, child_exists: bool
):
    if child_exists:
        create_child(world)
    parent_workflow = world.create("child_workflow")

    with pytest.raises(DeployError) as caught:
        world.service.deploy(parent_workflow.id)

    message = str(caught.value)
    assert caught.value.step == "compile"
    assert "node 'child' starts workflow 'hello_activity'" in message
    assert "deploy 'hello_activity' first" in message
    assert world.database.versions.latest(parent_workflow.id) is None
    assert world.database.deployments.find(workflow_id=parent_workflow.id) == []


def test_a_graph_starting_itself_as_a_child_is_refused_naming_the_node(world: DeployWorld):
    def start_itself(document: dict) -> None:
        node(document, "child")["params"]["workflow"] = document["workflow"]["name"]

    parent_workflow = world.create("child_workflow", edit=start_itself)

    with pytest.raises(DeployError, match="node 'child' starts this workflow itself"):
        world.service.deploy(parent_workflow.id)
    assert world.database.versions.latest(parent_workflow.id) is None


def test_the_parent_is_unchanged_until_its_child_is_deployed_anew(world: DeployWorld):
    child_workflow = create_child(world)
    world.service.deploy(child_workflow.id)
    parent_workflow = world.create("child_workflow")
    v1 = world.service.deploy(parent_workflow.id)

    again = world.service.deploy(parent_workflow.id)
    assert (again.unchanged, again.version.version) == (True, 1)

    world.edit_draft(
        child_workflow.id,
        lambda document: node(document, "end").__setitem__("label", "Finished"),
    )
    child_v2 = world.service.deploy(child_workflow.id)
    assert child_v2.workflow_type == f"{CHILD}_v2"

    v2 = world.service.deploy(parent_workflow.id)
    assert (v2.new_version, v2.version.version) == (True, 2)
    assert v2.version.graph == v1.version.graph
    assert "replay" not in [step.name for step in v2.steps]
    assert all(step.status is StepStatus.DONE for step in v2.steps)
    _, started = run_parent(world, v2, "Bo")
    assert started.workflow_type == f"{CHILD}_v2"


def test_the_parents_bundle_rebuilt_from_its_stored_version_has_the_same_digest(
    world: DeployWorld,
):
    world.service.deploy(create_child(world).id)
    parent = world.service.deploy(world.create("child_workflow").id)
    folder = Path(parent.deployment.bundle_dir)
    shutil.rmtree(folder)

    world.manager.apply_queue(parent.deployment.task_queue)

    assert read_bundle(folder).digest == parent.version.bundle_hash
    result, started = run_parent(world, parent, "Cy")
    assert result == "child said: Hello, Cy!"
    assert started.workflow_type == f"{CHILD}_v1"
