"""Issue 17's latency path is in effect on the real server: a run the console starts is started
eagerly by its own worker, and its steps reach the worker without a trip through matching."""

from __future__ import annotations

import uuid
from pathlib import Path

from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from core.config import Settings, load_settings
from core.executions import RunRef, RunService
from core.services import build_services
from core.temporal.gateway import TemporalGateway


def started_eagerly(gateway: TemporalGateway, ref: RunRef) -> bool:
    """What the run's WorkflowExecutionStarted event says of its first workflow task."""

    async def first_event() -> bool:
        handle = gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
        async for event in handle.fetch_history_events():
            assert event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED
            return event.workflow_execution_started_event_attributes.eager_execution_accepted
        raise AssertionError(f"run {ref.workflow_id} has no history")

    return gateway.call(first_event())


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


def test_console_runs_start_eagerly_and_their_steps_are_dispatched_eagerly(
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
        workflow = services.workflows.create_from_example("hello_activity", name="greeter")
        queue = services.deploy.deploy(workflow.id).deployment.task_queue
        gateway = services.temporal.gateway
        # The console's process runs the queue's worker: the start reply carries the first task.
        ref = services.runs.start(workflow.id, {"name": "Ann"})
        assert services.runs.wait(ref, timeout=30).result == "Hello, Ann!"
        assert started_eagerly(gateway, ref)
        # Every step was handed over in a workflow task's reply; none was queued for a poller.
        assert activity_tasks_matched(gateway, queue) == 0.0

        # A process without a worker for the queue (the command-line console) starts the
        # ordinary way, and the run completes all the same.
        remote = RunService(services.database, gateway)
        other = remote.start(workflow.id, {"name": "Bo"})
        assert remote.wait(other, timeout=30).result == "Hello, Bo!"
        assert not started_eagerly(gateway, other)
    finally:
        services.close()
