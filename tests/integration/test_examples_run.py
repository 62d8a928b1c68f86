"""Every example graph, compiled and served by the runtime, runs on the real dev server."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.exceptions import ApplicationError

from core.activities import load_registry
from core.config import REPO_ROOT, Settings
from core.deploy.record_histories import example_web_server
from core.runtime import BundleStore, WorkerHost
from core.runtime.runner import GraphFamily, compile_family, serve_family

EXAMPLES = REPO_ROOT / "examples"
FIXTURES = REPO_ROOT / "tests" / "fixtures"
RUN_TIMEOUT = timedelta(seconds=60)

pytestmark = pytest.mark.asyncio


@pytest.fixture
def serve(
    temporal_settings: Settings, tmp_path: Path, task_queue: str
) -> Iterator[Callable[..., GraphFamily]]:
    """Compile a graph (with its child graphs) and serve it on the test's task queue."""
    hosts: list[WorkerHost] = []

    def serve_graph(path: Path, plugin_modules: tuple[str, ...] = ()) -> GraphFamily:
        family = compile_family(
            path, registry=load_registry(plugin_modules), default_task_queue=task_queue
        )
        host = WorkerHost(temporal_settings)
        hosts.append(host)
        serve_family(host, family, store=BundleStore(tmp_path / "store"), task_queue=task_queue)
        return family

    yield serve_graph
    for host in hosts:
        host.close()


async def start(
    client: Client, family: GraphFamily, task_queue: str, workflow_input: dict[str, Any]
) -> WorkflowHandle:
    return await client.start_workflow(
        family.main.workflow_type,
        workflow_input,
        id=f"{family.main.workflow_type}-{uuid.uuid4()}",
        task_queue=task_queue,
        execution_timeout=RUN_TIMEOUT,
    )


async def run_example(
    client: Client, serve: Callable[..., GraphFamily], task_queue: str, example: str, **inputs: Any
) -> Any:
    family = serve(EXAMPLES / f"{example}.json")
    handle = await start(client, family, task_queue, inputs)
    return await handle.result()


async def until(check: Callable[[], Awaitable[Any]], what: str, seconds: float = 15.0) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def history_events(handle: WorkflowHandle, attribute: str) -> list[Any]:
    history = await handle.fetch_history()
    return [getattr(e, attribute) for e in history.events if e.HasField(attribute)]


# ---- plain examples -------------------------------------------------------------------------


async def test_hello_activity(temporal_client, serve, task_queue):
    result = await run_example(temporal_client, serve, task_queue, "hello_activity", name="Ann")
    assert result == "Hello, Ann!"


async def test_foreach_loop(temporal_client, serve, task_queue):
    result = await run_example(
        temporal_client, serve, task_queue, "foreach_loop", items=["a", "b", "c"]
    )
    assert result == ["A!", "B!", "C!"]


async def test_parallel_fanout(temporal_client, serve, task_queue):
    result = await run_example(temporal_client, serve, task_queue, "parallel_fanout", word="flow")
    assert result == ["FLOW", "Flow", 4]


async def test_scheduled_report_run_by_hand(temporal_client, serve, task_queue):
    result = await run_example(temporal_client, serve, task_queue, "scheduled_report")
    assert result == {"team": "operations", "total": 16, "count": 3}


# ---- HTTP -----------------------------------------------------------------------------------


@pytest.fixture
def web_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # http_request refuses loopback addresses unless they are allowed, as this one is.
    monkeypatch.setenv("WB_HTTP_ALLOW", "127.0.0.1")
    with example_web_server() as url:
        yield url


async def test_http_fetch_condition_takes_the_ok_branch_on_200(
    temporal_client, serve, task_queue, web_server
):
    result = await run_example(
        temporal_client, serve, task_queue, "http_fetch_condition", url=f"{web_server}/ok"
    )
    assert result == "ok: 5 characters"


async def test_http_fetch_condition_takes_the_error_edge_on_404(
    temporal_client, serve, task_queue, web_server
):
    family = serve(EXAMPLES / "http_fetch_condition.json")
    handle = await start(temporal_client, family, task_queue, {"url": f"{web_server}/missing"})
    # http_request raises a non-retryable HttpClientError on 4xx: one attempt, then the
    # fetch node's error edge reports the failure message.
    result = await handle.result()
    assert result.startswith("request failed: ") and "404 Not Found" in result
    started = await history_events(handle, "activity_task_started_event_attributes")
    assert [e.attempt for e in started] == [1]


# ---- queries, signals -----------------------------------------------------------------------


async def test_query_variables_answers_progress_while_running(temporal_client, serve, task_queue):
    family = serve(EXAMPLES / "query_variables.json")
    handle = await start(temporal_client, family, task_queue, {"items": [1, 2, 3, 4], "pause": 0.2})

    async def progress_midway() -> bool:
        return 1 <= await handle.query("progress") < 4

    await until(progress_midway, "progress between 1 and 3 while the run is going")
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    assert await handle.result() == 4
    assert await handle.query("remaining") == 0


async def test_approval_signal_approved(temporal_client, serve, task_queue):
    family = serve(EXAMPLES / "approval_signal.json")
    handle = await start(
        temporal_client, family, task_queue, {"request": "laptop", "timeout_seconds": 30}
    )

    async def waiting() -> bool:
        return await handle.query("status") == "waiting"

    await until(waiting, "status 'waiting'")
    await handle.signal("approve", {"approved": True, "by": "ann"})
    assert await handle.result() == {"request": "laptop", "status": "approved by ann"}
    assert await handle.query("status") == "approved by ann"


async def test_approval_signal_times_out_without_a_signal(temporal_client, serve, task_queue):
    family = serve(EXAMPLES / "approval_signal.json")
    handle = await start(
        temporal_client, family, task_queue, {"request": "laptop", "timeout_seconds": 1}
    )
    assert await handle.result() == {"request": "laptop", "status": "timed out"}


# ---- child workflows, retries, plugins ------------------------------------------------------


async def test_child_workflow_starts_a_real_child_execution(temporal_client, serve, task_queue):
    family = serve(EXAMPLES / "child_workflow.json")
    assert [b.workflow_type for b in family.children] == ["hello_activity"]
    handle = await start(temporal_client, family, task_queue, {"name": "Kid"})
    assert await handle.result() == "child said: Hello, Kid!"
    initiated = await history_events(
        handle, "start_child_workflow_execution_initiated_event_attributes"
    )
    assert [e.workflow_type.name for e in initiated] == ["hello_activity"]
    completed = await history_events(handle, "child_workflow_execution_completed_event_attributes")
    assert len(completed) == 1
    child = temporal_client.get_workflow_handle(completed[0].workflow_execution.workflow_id)
    description = await child.describe()
    assert description.workflow_type == "hello_activity"
    assert description.status == WorkflowExecutionStatus.COMPLETED
    assert description.parent_id == handle.id
    assert await child.result() == "Hello, Kid!"


async def test_retry_error_branch_retries_three_times_then_takes_the_error_edge(
    temporal_client, serve, task_queue
):
    family = serve(EXAMPLES / "retry_error_branch.json")
    handle = await start(temporal_client, family, task_queue, {"message": "the service is down"})
    result = await handle.result()
    assert result.startswith("recovered from: ") and "the service is down" in result
    # The history keeps the last attempt's start (attempt 3) and the final failure.
    started = await history_events(handle, "activity_task_started_event_attributes")
    assert [e.attempt for e in started] == [3]
    failed = await history_events(handle, "activity_task_failed_event_attributes")
    assert len(failed) == 1
    assert failed[0].failure.message == "the service is down"
    assert failed[0].failure.application_failure_info.type == "ServiceDown"


async def test_order_saga_places_an_order_within_the_limit(temporal_client, serve, task_queue):
    result = await run_example(temporal_client, serve, task_queue, "order_saga", amount=80)
    assert result == "order placed: lamp"


async def test_order_saga_releases_the_stock_then_its_fail_node_fails_the_run(
    temporal_client, serve, task_queue
):
    family = serve(EXAMPLES / "order_saga.json")
    handle = await start(temporal_client, family, task_queue, {"amount": 120})
    with pytest.raises(WorkflowFailureError) as failure:
        await handle.result()
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.message == "payment of 120 is over the limit of 100"
    assert cause.type == "PaymentRefused" and cause.non_retryable
    assert (await handle.describe()).status == WorkflowExecutionStatus.FAILED
    # The compensation ran before the failure; the failure was the run's, at once: no
    # workflow task failed (which Temporal would retry) on the way.
    scheduled = await history_events(handle, "activity_task_scheduled_event_attributes")
    logged = [json.loads(event.input.payloads[0].data) for event in scheduled]
    # Each call's one input object: log's message by name.
    assert logged == [{"message": "reserved lamp"}, {"message": "released lamp"}]
    assert await history_events(handle, "workflow_task_failed_event_attributes") == []


async def test_a_plugin_activity_runs_in_a_workflow(
    temporal_client, serve, task_queue, tmp_path, monkeypatch
):
    monkeypatch.syspath_prepend(str(FIXTURES))
    graph = tmp_path / "greeter.json"
    graph.write_text(_PLUGIN_GRAPH)
    family = serve(graph, ("plugin_activities",))
    assert "from plugin_activities import" in family.main.files["activities.py"]
    handle = await start(temporal_client, family, task_queue, {"name": "Ann", "values": [1, 2.5]})
    assert await handle.result() == {"greeting": "Hello, Ann!", "total": 13.5}


# A sync plugin activity (plugin.sum_numbers) too: it runs on the host's thread pool.
_PLUGIN_GRAPH = """{
  "format": "workflow-builder/1",
  "workflow": {"name": "greeter", "description": "", "task_queue": null,
               "signals": [], "queries": []},
  "nodes": [
    {"id": "start", "type": "start", "label": "Start", "position": {"x": 0, "y": 0},
     "params": {"input_fields": [
       {"name": "name", "type": "string", "required": true, "default": null, "description": ""},
       {"name": "values", "type": "array", "required": true, "default": null, "description": ""}
     ]}},
    {"id": "greet", "type": "activity", "label": "Greet", "position": {"x": 200, "y": 0},
     "params": {"activity": "greet", "result_variable": "greeting",
                "args": {"name": {"expr": "input.name"}, "excited": true}}},
    {"id": "sum", "type": "activity", "label": "Sum", "position": {"x": 400, "y": 0},
     "params": {"activity": "plugin.sum_numbers", "result_variable": "total",
                "args": {"values": {"expr": "input.values"}, "start": 10}}},
    {"id": "end", "type": "end", "label": "End", "position": {"x": 600, "y": 0},
     "params": {"result": "{'greeting': greeting, 'total': total}"}}
  ],
  "edges": [
    {"id": "e1", "source": "start", "target": "greet", "handle": "next"},
    {"id": "e2", "source": "greet", "target": "sum", "handle": "next"},
    {"id": "e3", "source": "sum", "target": "end", "handle": "next"}
  ]
}
"""
