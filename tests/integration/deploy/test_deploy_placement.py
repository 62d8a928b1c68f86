"""Where deploys place workflows (a queue per workflow, one queue for all, or the graph's own)
and the steps that name a task queue of their own."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from temporalio.client import Client

from core.activities import ActivityRegistry
from core.db import Capability, QueueStrategy
from core.deploy import DeployResult, DeployService
from core.fleet import QueueStateError, WorkerManager
from core.fleet.placement import task_queue_for
from tests.integration.deploy.helpers import DeployWorld, node


def test_per_workflow_gives_each_workflow_its_own_queue_and_worker(world: DeployWorld):
    assert world.settings.queue_strategy == "per_workflow"  # the default
    first, second = world.create("hello_activity"), world.create("hello_activity")

    a = world.service.deploy(first.id)
    b = world.service.deploy(second.id)

    base = world.settings.default_task_queue
    assert a.deployment.task_queue == f"{base}-{first.name}"
    assert b.deployment.task_queue == f"{base}-{second.name}"
    assert world.manager.queues() == tuple(
        sorted([a.deployment.task_queue, b.deployment.task_queue])
    )
    [worker_a] = world.manager.worker_ids(a.deployment.task_queue)
    [worker_b] = world.manager.worker_ids(b.deployment.task_queue)
    assert worker_a != worker_b
    for deployed in (a, b):
        row = world.database.task_queues.get(deployed.deployment.task_queue)
        assert (row.strategy, row.pool_size) == (QueueStrategy.PER_WORKFLOW, 1)
    assert world.run_to_end(a, name="Ann") == "Hello, Ann!"
    assert world.run_to_end(b, name="Bo") == "Hello, Bo!"


def test_single_puts_every_workflow_on_the_default_queue_with_one_worker(
    world: DeployWorld, registry: ActivityRegistry
):
    settings = dataclasses.replace(world.settings, queue_strategy="single")
    service = DeployService(world.database, world.manager, registry, settings)
    first, second = world.create("hello_activity"), world.create("hello_activity")

    a = service.deploy(first.id)
    b = service.deploy(second.id)

    base = settings.default_task_queue
    assert (a.deployment.task_queue, b.deployment.task_queue) == (base, base)
    assert world.manager.queues() == (base,)
    [worker] = world.manager.worker_ids(base)
    served = {t for w in world.manager.host.workers() for t in w.workflow_types}
    assert served == {a.workflow_type, b.workflow_type}
    assert world.database.workers.get(worker).task_queue == base
    row = world.database.task_queues.get(base)
    assert (row.strategy, row.pool_size) == (QueueStrategy.SINGLE, 1)
    assert world.run_to_end(a, name="Cy") == "Hello, Cy!"
    assert world.run_to_end(b, name="Di") == "Hello, Di!"


def test_a_graph_naming_its_task_queue_is_deployed_there(world: DeployWorld):
    own = f"own-{uuid.uuid4().hex[:8]}"
    workflow = world.create("hello_activity", edit=lambda d: d["workflow"].update(task_queue=own))

    deployed = world.service.deploy(workflow.id)

    assert deployed.deployment.task_queue == own
    assert world.manager.queues() == (own,)
    assert world.database.task_queues.get(own).strategy is QueueStrategy.SINGLE
    assert world.run_to_end(deployed, name="Eve") == "Hello, Eve!"


def test_a_deploy_keeps_the_pool_size_set_on_its_queue(world: DeployWorld):
    workflow = world.create("hello_activity")
    queue = task_queue_for(
        graph_task_queue=None, workflow_name=workflow.name, settings=world.settings
    )
    assert world.manager.scale(queue, 2) == []  # not running yet: the size is only stored

    deployed = world.service.deploy(workflow.id)

    assert deployed.deployment.task_queue == queue
    row = world.database.task_queues.get(queue)
    assert (row.strategy, row.pool_size) == (QueueStrategy.POOL, 2)
    assert len(world.manager.worker_ids(queue)) == 2
    assert world.run_to_end(deployed, name="Flo") == "Hello, Flo!"


def _on_queue(queue: str):
    return lambda document: node(document, "greet")["params"].update(task_queue=queue)


def _run_with_history(world: DeployWorld, deployed: DeployResult, **workflow_input: Any):
    """Run the deployed type to its end; its result and its history's events."""

    async def go(client: Client):
        handle = await client.start_workflow(
            deployed.workflow_type,
            workflow_input,
            id=f"{deployed.workflow_type}-{uuid.uuid4().hex[:8]}",
            task_queue=deployed.deployment.task_queue,
        )
        return await handle.result(), (await handle.fetch_history()).events

    return world.temporal(go)


def test_a_step_on_a_queue_of_its_own_is_run_there_by_an_activity_only_worker_of_the_fleet(
    world: DeployWorld,
):
    steps = f"steps-{uuid.uuid4().hex[:8]}"
    deployed = world.service.deploy(world.create("hello_activity", edit=_on_queue(steps)).id)

    assert deployed.deployment.step_queues == {steps: ["echo"]}
    assert world.manager.queues() == tuple(sorted([deployed.deployment.task_queue, steps]))
    hosted = {w.task_queue: w for w in world.manager.host.workers()}
    assert (hosted[steps].workflow_types, hosted[steps].activity_names) == ((), ("echo",))
    [step_worker] = world.manager.worker_ids(steps)
    assert world.database.workers.capabilities(step_worker) == [
        Capability(deployed.workflow_type, "echo")
    ]
    # It runs activities of the type, not the type: nothing may start the workflow there.
    assert world.database.workers.find(task_queue=steps, workflow_type=deployed.workflow_type) == []

    result, events = _run_with_history(world, deployed, name="Ann")

    assert result == "Hello, Ann!"
    [scheduled] = [e for e in events if e.HasField("activity_task_scheduled_event_attributes")]
    assert scheduled.activity_task_scheduled_event_attributes.task_queue.name == steps
    [started] = [e for e in events if e.HasField("activity_task_started_event_attributes")]
    assert started.activity_task_started_event_attributes.identity == step_worker
    [completed] = [e for e in events if e.HasField("activity_task_completed_event_attributes")]
    assert completed.activity_task_completed_event_attributes.identity == step_worker


def test_what_a_step_queue_serves_follows_deploys_rollbacks_and_retirement(world: DeployWorld):
    first, second = f"first-{uuid.uuid4().hex[:8]}", f"second-{uuid.uuid4().hex[:8]}"
    workflow = world.create("hello_activity", edit=_on_queue(first))
    v1 = world.service.deploy(workflow.id)
    own = v1.deployment.task_queue

    # Version 2 moves the step: version 1 drains, so both step queues are served.
    world.edit_draft(workflow.id, _on_queue(second))
    v2 = world.service.deploy(workflow.id)
    assert v2.previous is not None and v2.previous.id == v1.deployment.id
    assert world.manager.queues() == tuple(sorted([own, first, second]))
    result, events = _run_with_history(world, v2, name="Bo")
    assert result == "Hello, Bo!"
    [scheduled] = [e for e in events if e.HasField("activity_task_scheduled_event_attributes")]
    assert scheduled.activity_task_scheduled_event_attributes.task_queue.name == second

    # Version 1 has no open runs: retired, its step queue's worker stops.
    assert [d.id for d in world.service.retire_drained()] == [v1.deployment.id]
    assert world.manager.queues() == tuple(sorted([own, second]))
    assert world.manager.worker_ids(first) == ()

    # A rollback to version 1 deploys its graph again: its step queue is served again and
    # version 2's, draining then retired, is not.
    v3 = world.service.rollback(workflow.id, 1)
    assert v3.deployment.step_queues == {first: ["echo"]}
    world.service.retire_drained()
    assert world.manager.queues() == tuple(sorted([own, first]))
    assert world.run_to_end(v3, name="Cy") == "Hello, Cy!"


def test_a_step_on_another_workflows_queue_is_served_beside_that_workflow(world: DeployWorld):
    # The approval workflow uses no 'echo'; its queue's worker then runs both.
    approval = world.service.deploy(world.create("approval_signal").id)
    shared = approval.deployment.task_queue
    deployed = world.service.deploy(world.create("hello_activity", edit=_on_queue(shared)).id)

    assert deployed.deployment.task_queue != shared
    hosted = {w.task_queue: w for w in world.manager.host.workers()}
    assert hosted[shared].workflow_types == (approval.workflow_type,)
    assert "echo" in hosted[shared].activity_names
    assert world.run_to_end(deployed, name="Di") == "Hello, Di!"


def test_a_step_queue_left_to_standalone_workers_gets_no_worker_in_the_app(
    world: DeployWorld, registry: ActivityRegistry
):
    steps = f"gpu-{uuid.uuid4().hex[:8]}"
    app = WorkerManager(
        world.settings, world.database, registry=registry, standalone_queues={steps}
    )
    try:
        service = DeployService(world.database, app, registry, world.settings)

        deployed = service.deploy(world.create("hello_activity", edit=_on_queue(steps)).id)

        # Deployed all the same (its workers may start later, elsewhere), saying so.
        assert deployed.deployment.step_queues == {steps: ["echo"]}
        assert app.queues() == (deployed.deployment.task_queue,)
        [load] = [step for step in deployed.steps if step.name == "load"]
        assert f"no worker polls {steps} yet" in load.message
        with pytest.raises(QueueStateError, match="WB_STANDALONE_QUEUES leaves it"):
            app.start_queue(steps)
    finally:
        app.close()
