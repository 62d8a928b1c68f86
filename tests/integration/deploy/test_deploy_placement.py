"""Where deploys place workflows: a queue per workflow, one queue for all, or the graph's own."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from core.activities import ActivityRegistry
from core.db import QueueStrategy
from core.deploy import DeployError, DeployService
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


def test_an_activity_queue_whose_workers_do_not_run_it_is_refused_naming_the_node(
    world: DeployWorld,
):
    def on_queue(queue: str):
        return lambda document: node(document, "greet")["params"].update(task_queue=queue)

    nobody = world.create("hello_activity", edit=on_queue(f"nobody-{uuid.uuid4().hex[:6]}"))
    with pytest.raises(DeployError, match="node 'greet' runs activity 'echo' on task queue"):
        world.service.deploy(nobody.id)
    assert world.database.versions.latest(nobody.id) is None  # nothing recorded

    # Workers poll this queue, but the workflow they serve uses no 'echo': they do not run it.
    signal_only = world.service.deploy(world.create("approval_signal").id)
    wrong = world.create("hello_activity", edit=on_queue(signal_only.deployment.task_queue))
    with pytest.raises(DeployError, match="where no worker runs it") as caught:
        world.service.deploy(wrong.id)
    assert "deploy a workflow that uses 'echo'" in str(caught.value)

    # A queue whose workers serve a workflow using 'echo' runs it: the run completes.
    served = world.service.deploy(world.create("hello_activity").id)
    elsewhere = world.create("hello_activity", edit=on_queue(served.deployment.task_queue))
    deployed = world.service.deploy(elsewhere.id)
    assert deployed.deployment.task_queue != served.deployment.task_queue
    assert world.run_to_end(deployed, name="Ann") == "Hello, Ann!"
