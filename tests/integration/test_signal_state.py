"""Signal updates and wait-until on the real dev server: greetings collected until exit."""

from __future__ import annotations

import asyncio
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
    until,
)

pytestmark = pytest.mark.asyncio

GREETINGS = EXAMPLES / "collect_greetings.json"


async def test_greetings_are_collected_in_order_until_exit_without_polling(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
):
    family = serve(GREETINGS)
    handle = await start(temporal_client, family, task_queue, {"timeout_seconds": 60})
    await until(
        lambda: history_events(handle, "workflow_task_completed_event_attributes"),
        "the first workflow task",
    )
    # Waiting idle adds nothing to the history: the wait is a condition, not a polling timer.
    waiting = len((await handle.fetch_history()).events)
    await asyncio.sleep(0.5)
    assert len((await handle.fetch_history()).events) == waiting
    for name in ("Ann", "Bob", "Cid"):
        await handle.signal("greet", {"name": name})
    await handle.signal("greet", {"name": 5})  # does not fit the payload: rejected
    assert await handle.query("greetings") == ["Ann", "Bob", "Cid"]
    await handle.signal("exit")
    assert await handle.result() == ["Ann", "Bob", "Cid"]
    assert [r["signal"] for r in await handle.query("rejected-signals")] == ["greet"]
    # The one timer is the wait's timeout.
    assert len(await history_events(handle, "timer_started_event_attributes")) == 1


async def test_a_data_error_in_the_condition_fails_the_run_naming_the_step(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
    tmp_path: Path,
):
    document = json.loads(GREETINGS.read_text(encoding="utf-8"))
    wait = next(node for node in document["nodes"] if node["id"] == "wait")
    wait["params"]["condition"] = "len(greetings) >= 2"  # None until the first greeting
    path = tmp_path / "collect_greetings.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    handle = await start(temporal_client, serve(path), task_queue, {"timeout_seconds": 60})
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError) and cause.non_retryable
    assert cause.message == "step 'wait' failed: TypeError: object of type 'NoneType' has no len()"
    # The run failed at once: no workflow task failed (Temporal would retry it for ever).
    assert await history_events(handle, "workflow_task_failed_event_attributes") == []
