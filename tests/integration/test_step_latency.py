"""Issue 17's latency path is in effect on the real server: a run the console starts is started
eagerly by its own worker, its regular steps reach the worker without a trip through matching,
its short built-in steps run as local activities, and the sandbox runs the generated module
loaded once instead of importing it afresh for each run."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import WorkflowFailureError

from core.activities import builtin_registry
from core.config import Settings, load_settings
from core.examples import EXAMPLES_DIR
from core.executions import RunRef, RunService
from core.runs.trace import LOCAL_ACTIVITY_MARKER
from core.runtime import BundleStore, WorkerHost
from core.runtime.runner import compile_family, run_graph_file, serve_family
from core.services import build_services
from core.temporal.gateway import TemporalGateway


def greet_then_log() -> dict[str, Any]:
    """hello_activity with a ``log`` step after the greeting: one local step, one regular."""
    graph = json.loads((EXAMPLES_DIR / "hello_activity.json").read_text())
    graph["nodes"].append(
        {
            "id": "note",
            "type": "activity",
            "label": "Note",
            "params": {"activity": "log", "args": {"message": "greeted"}},
        }
    )
    graph["edges"] = [
        {"id": "e1", "source": "start", "target": "greet", "handle": "next"},
        {"id": "e2", "source": "greet", "target": "note", "handle": "next"},
        {"id": "e3", "source": "note", "target": "end", "handle": "next"},
    ]
    return graph


def history(gateway: TemporalGateway, ref: RunRef) -> list[HistoryEvent]:
    async def fetch() -> list[HistoryEvent]:
        handle = gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
        return [event async for event in handle.fetch_history_events()]

    return gateway.call(fetch())


def activity_tasks_matched(gateway: TemporalGateway, task_queue: str) -> float:
    """Activity tasks a second that went through matching on ``task_queue`` (Temporal's view)."""
    request = DescribeTaskQueueRequest(
        namespace=gateway.client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        report_stats=True,
    )
    response = gateway.call(gateway.client.workflow_service.describe_task_queue(request))
    return float(response.stats.tasks_add_rate)


def test_console_runs_start_eagerly_and_steps_skip_matching_or_run_locally(
    temporal_settings: Settings, tmp_path: Path
):
    settings = load_settings(
        {
            "TEMPORAL_ADDRESS": temporal_settings.temporal_address or "",
            "WB_DATA_DIR": str(tmp_path),
            "WB_DEFAULT_TASK_QUEUE": f"latency-{uuid.uuid4().hex[:8]}",
        }
    )
    services = build_services(settings)
    try:
        workflow = services.workflows.create(name="greeter")
        services.workflows.save_draft(
            workflow.id, greet_then_log() | {"workflow": {"name": "greeter"}}
        )
        queue = services.deploy.deploy(workflow.id).deployment.task_queue
        gateway = services.temporal.gateway
        # The console's process runs the queue's worker: the start reply carries the first task.
        ref = services.runs.start(workflow.id, {"name": "Ann"})
        assert services.runs.wait(ref, timeout=30).result == "Hello, Ann!"
        events = history(gateway, ref)
        assert events[0].workflow_execution_started_event_attributes.eager_execution_accepted
        # The echo step left a local activity's marker, with its result, and no activity task.
        [marker] = [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
        assert marker.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
        scheduled = [
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        ]
        assert scheduled == ["log"]
        # The log step was handed over in a workflow task's reply, never queued for a poller.
        assert activity_tasks_matched(gateway, queue) == 0.0
        # The Run page places the local step on its node, with its output.
        greet = services.console.detail(ref.workflow_id, ref.run_id).trace.nodes["greet"]
        assert [(call.name, call.outcome, call.output) for call in greet.calls] == [
            ("echo", "completed", "Hello, Ann!")
        ]

        # Start run and wait for the result (the builder's Start run): started and awaited
        # on the worker's own loop, eagerly too.
        quick = services.runs.start_and_wait(workflow.id, {"name": "Cy"}, wait=30)
        assert quick.result == "Hello, Cy!"
        quick_start = history(gateway, quick.ref)[0].workflow_execution_started_event_attributes
        assert quick_start.eager_execution_accepted

        # A process without a worker for the queue (the command-line console) starts the
        # ordinary way, and the run completes all the same.
        remote = RunService(services.database, gateway)
        other = remote.start(workflow.id, {"name": "Bo"})
        assert remote.wait(other, timeout=30).result == "Hello, Bo!"
        assert not history(gateway, other)[
            0
        ].workflow_execution_started_event_attributes.eager_execution_accepted
    finally:
        services.close()


def test_a_failing_local_step_retries_in_its_worker_then_takes_the_error_edge(
    host: WorkerHost, task_queue: str, tmp_path: Path
):
    graph = json.loads((EXAMPLES_DIR / "retry_error_branch.json").read_text())
    [call] = [node for node in graph["nodes"] if node["id"] == "call"]
    call["params"]["local"] = True
    path = tmp_path / "retry_error_branch.json"
    path.write_text(json.dumps(graph))
    family = compile_family(path, registry=builtin_registry(), default_task_queue=task_queue)
    serve_family(host, family, store=BundleStore(tmp_path / "store"), task_queue=task_queue)

    async def run() -> tuple[Any, list[HistoryEvent]]:
        handle = await host.client.start_workflow(
            family.main.workflow_type,
            {"message": "it is down"},
            id=f"local-retry-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        return await handle.result(), [event async for event in handle.fetch_history_events()]

    result, events = host.call(run())
    # A failed local activity raises its own ApplicationError, not an ActivityError around it:
    # the generated handler catches both, so the error edge is taken all the same.
    assert result == "recovered from: it is down"
    [marker] = [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
    failure = marker.marker_recorded_event_attributes.failure
    assert failure.application_failure_info.type == "ServiceDown"
    assert EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED not in {e.event_type for e in events}


def test_short_timers_fire_without_the_servers_second_of_batching(temporal_settings: Settings):
    # Temporal reads timer tasks up to history.timerProcessorMaxTimeShift ahead (1 s by
    # default) and fires them in batches: each of these zero-length timers then fired about
    # a second after it started. The embedded server sets 10 ms.
    done = run_graph_file(
        EXAMPLES_DIR / "query_variables.json",
        input={"items": [1, 2, 3], "pause": 0},
        settings=temporal_settings,
        task_queue=f"test-{uuid.uuid4()}",
    )
    gateway = TemporalGateway(temporal_settings)
    try:
        handle = gateway.client.get_workflow_handle(done.workflow_id)
        events = gateway.call(handle.fetch_history()).events
    finally:
        gateway.close()
    started = [e for e in events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    fired = [e for e in events if e.event_type == EventType.EVENT_TYPE_TIMER_FIRED]
    assert len(started) == len(fired) == 3
    gaps = [
        f.event_time.ToDatetime() - s.event_time.ToDatetime()
        for s, f in zip(started, fired, strict=True)
    ]
    assert max(gaps).total_seconds() < 0.5, gaps


def test_the_sandbox_runs_the_generated_module_loaded_once_for_all_runs(
    host: WorkerHost, task_queue: str, tmp_path: Path
):
    family = compile_family(
        EXAMPLES_DIR / "hello_activity.json",
        registry=builtin_registry(),
        default_task_queue=task_queue,
    )
    [loaded] = serve_family(
        host, family, store=BundleStore(tmp_path / "store"), task_queue=task_queue
    )
    module = sys.modules[f"{loaded.package}.workflow"]

    def run(name: str) -> Any:
        async def start_and_wait() -> Any:
            handle = await host.client.start_workflow(
                family.main.workflow_type,
                {"name": name},
                id=f"passthrough-{uuid.uuid4().hex[:8]}",
                task_queue=task_queue,
            )
            try:
                return await handle.result()
            except WorkflowFailureError as failure:
                return str(failure.cause)

        return host.call(start_and_wait())

    assert run("Ann") == "Hello, Ann!"
    # The run uses the module this process imported, not a copy imported afresh in the
    # sandbox: a constant changed here is what the next run sees.
    required = module.REQUIRED
    module.REQUIRED = ("name", "surname")
    try:
        assert run("Bo") == "MissingInput: the workflow input lacks the required field(s): surname"
    finally:
        module.REQUIRED = required
    assert run("Cy") == "Hello, Cy!"
