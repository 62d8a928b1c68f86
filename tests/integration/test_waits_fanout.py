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
