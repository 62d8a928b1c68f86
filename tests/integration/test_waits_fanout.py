"""Wait for any signal and parallel for-each on the real dev server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.integration.test_examples_run import (  # noqa: F401 (serve is a fixture)
    EXAMPLES,
    history_events,
    serve,
    start,
)

pytestmark = pytest.mark.asyncio


async def test_wait_any_takes_the_branch_of_the_signal_that_came_or_the_timeout(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
):
    family = serve(EXAMPLES / "approve_or_reject.json")
    handle = await start(
        temporal_client, family, task_queue, {"request": "leave", "timeout_seconds": 60}
    )
    # Whether approve comes in the same workflow task or after the wait ended, reject came
    # first and is taken (approve is first in the node's list).
    await handle.signal("reject", {"by": "Bo"})
    await handle.signal("approve", {"by": "Al"})
    assert await handle.result() == {"request": "leave", "status": "rejected by Bo"}
    assert await handle.query("state") == {
        "status": "rejected by Bo",
        "decision": {"by": "Bo"},
    }
    handle = await start(
        temporal_client, family, task_queue, {"request": "car", "timeout_seconds": 0.2}
    )
    assert await handle.result() == {"request": "car", "status": "timed out"}


async def test_a_parallel_for_each_runs_at_most_limit_at_once_and_keeps_item_order(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
    tmp_path: Path,
):
    document = json.loads((EXAMPLES / "parallel_foreach.json").read_text(encoding="utf-8"))
    for node in document["nodes"]:
        if node["id"] == "each":
            node["params"]["limit"] = 5
        if node["id"] == "shout":
            node["params"]["local"] = False  # regular activities: each is in the history
    path = tmp_path / "parallel_foreach.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    items = [f"w{index}" for index in range(50)]
    handle = await start(temporal_client, serve(path), task_queue, {"items": items})
    assert await handle.result() == [f"W{index}!" for index in range(50)]
    # Activities scheduled and not yet closed, event by event: never more than the limit.
    running = most = 0
    for event in (await handle.fetch_history()).events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            running += 1
        elif event.HasField("activity_task_completed_event_attributes"):
            running -= 1
        most = max(most, running)
    assert most == 5


async def test_a_data_error_in_one_iteration_fails_the_run_naming_the_step(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
    tmp_path: Path,
):
    document = json.loads((EXAMPLES / "parallel_foreach.json").read_text(encoding="utf-8"))
    shout = next(node for node in document["nodes"] if node["id"] == "shout")
    shout["params"]["args"]["value"] = {"expr": "10 // item"}
    path = tmp_path / "parallel_foreach.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    handle = await start(temporal_client, serve(path), task_queue, {"items": [1, 0, 2]})
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.non_retryable
    assert (
        cause.message
        == "step 'shout' failed: ZeroDivisionError: integer division or modulo by zero"
    )
    assert await history_events(handle, "workflow_task_failed_event_attributes") == []


async def test_wait_any_takes_the_first_arrived_after_a_wait_for_signal_took_one(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
    tmp_path: Path,
):
    # b, a, b arrive during a timer; a wait for b takes the first b; the wait for b or a (b
    # listed first) then takes a, which came before the second b.
    nodes = [
        ("start", "start", {}),
        ("pause", "timer", {"duration": "1s"}),
        ("first_b", "wait_signal", {"signal": "b", "variable": "early"}),
        ("either", "wait_any", {"signals": ["b", "a"], "variable": "taken"}),
        ("got_a", "end", {"result": "['a', early, taken]"}),
        ("got_b", "end", {"result": "['b', early, taken]"}),
    ]
    edges = [
        ("start", "pause", "next"),
        ("pause", "first_b", "next"),
        ("first_b", "either", "next"),
        ("either", "got_a", "a"),
        ("either", "got_b", "b"),
    ]
    document = {
        "format": "workflow-builder/1",
        "workflow": {
            "name": "arrivals",
            "signals": [
                {"name": name, "fields": [{"name": "n", "type": "integer"}]} for name in "ab"
            ],
        },
        "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
        "edges": [
            {"id": f"e{n}", "source": s, "target": t, "handle": h}
            for n, (s, t, h) in enumerate(edges)
        ],
    }
    path = tmp_path / "arrivals.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    handle = await start(temporal_client, serve(path), task_queue, {})
    for signal, number in (("b", 1), ("a", 2), ("b", 3)):
        await handle.signal(signal, {"n": number})
    assert await handle.result() == ["a", {"n": 1}, {"n": 2}]
