"""Activities called with one input object (compiler version 4), beside bundles of version 3
that pass positional arguments, on a real dev server."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from core.activities import load_registry
from core.activities.input_object import input_object_activity
from core.compiler import compile_graph
from core.examples import EXAMPLES_DIR
from core.graph import graph_from_dict, load_graph
from core.runtime import BundleStore, LoadedBundle, WorkerHost, load_bundle
from tests.kept_bundles import kept_v3_bundle


def compiled(store: BundleStore, example: str, **options: Any) -> LoadedBundle:
    graph = load_graph((EXAMPLES_DIR / f"{example}.json").read_text())
    return load_bundle(store.write(compile_graph(graph, version=2, **options)))


async def scheduled_inputs(handle: WorkflowHandle) -> list[list[Any]]:
    """The arguments of every activity the run scheduled, as sent."""
    history = await handle.fetch_history()
    return [
        [json.loads(p.data) for p in event.activity_task_scheduled_event_attributes.input.payloads]
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


@pytest.mark.asyncio
async def test_runs_of_a_version_3_bundle_and_of_its_successor_share_one_worker(
    host: WorkerHost, temporal_client: Client, task_queue: str, tmp_path: Path
):
    store = BundleStore(tmp_path)
    examples = ("hello_activity", "order_saga")
    old = [load_bundle(store.write(kept_v3_bundle(example))) for example in examples]
    new = [compiled(store, example) for example in examples]
    # Newest first, as the fleet lists a queue's deployments: the new copies come first.
    hosted = host.add_worker(task_queue, [*new, *old])
    assert hosted.activity_names == ("echo", "log")

    async def run(bundle: LoadedBundle, given: dict[str, Any]) -> tuple[Any, WorkflowHandle]:
        handle = await temporal_client.start_workflow(
            bundle.workflow_type,
            given,
            id=f"{bundle.workflow_type}-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )
        return await handle.result(), handle

    # hello_activity's echo is a local activity, order_saga's log a regular one: each call
    # reaches the copy of its own bundle, whichever way its code passes the arguments.
    for bundle in (old[0], new[0]):
        assert (await run(bundle, {"name": "Ann"}))[0] == "Hello, Ann!"
    results = {}
    for bundle in (old[1], new[1]):
        results[bundle.workflow_type], handle = await run(bundle, {"amount": 80})
        reserve = (await scheduled_inputs(handle))[0]
        assert reserve == (
            [{"message": "reserved lamp"}] if bundle.bundle.input_objects else ["reserved lamp"]
        )
    assert results["order_saga"] == results["order_saga_v2"]


@pytest.mark.asyncio
async def test_a_parameter_added_with_a_default_keeps_a_call_sent_with_the_older_object_working(
    host: WorkerHost, temporal_client: Client, task_queue: str, tmp_path: Path
):
    # The step runs on a queue nobody serves yet, so its activity task waits, with the input
    # object the run sent, until the upgraded activity comes up.
    steps_queue = f"{task_queue}-steps"
    document = json.loads((EXAMPLES_DIR / "hello_activity.json").read_text())
    greet = next(node for node in document["nodes"] if node["id"] == "greet")
    greet["params"] = {
        "activity": "greet",
        "args": {"name": {"expr": "input.name"}},
        "result_variable": "greeting",
        "task_queue": steps_queue,
    }
    registry = load_registry(["tests.fixtures.plugin_activities"])
    bundle = compile_graph(graph_from_dict(document), registry=registry, version=2)
    host.add_worker(task_queue, [load_bundle(BundleStore(tmp_path).write(bundle))])
    handle = await temporal_client.start_workflow(
        bundle.workflow_type,
        {"name": "Ann"},
        id=f"older-object-{uuid.uuid4()}",
        task_queue=task_queue,
        execution_timeout=timedelta(seconds=30),
    )
    deadline = time.monotonic() + 10
    while not await scheduled_inputs(handle):
        assert time.monotonic() < deadline, "the step was not scheduled"
        await asyncio.sleep(0.05)
    assert await scheduled_inputs(handle) == [[{"name": "Ann"}]]

    # The upgraded activity takes a new parameter, with a default, before `name`: a
    # positional call would now bind "Ann" to it; the object's fields bind by name.
    async def upgraded_greet(greeting: str = "Hello", name: str = "", excited: bool = False):
        return f"{greeting}, {name}{'!' if excited else '.'}"

    worker = Worker(
        temporal_client,
        task_queue=steps_queue,
        activities=[input_object_activity("greet", upgraded_greet)],
    )
    async with worker:
        assert await handle.result() == "Hello, Ann."
