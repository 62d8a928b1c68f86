"""Temporal's own view of a task queue: who polled it for workflow and activity tasks, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeTaskQueueRequest,
    DescribeTaskQueueResponse,
)
from temporalio.client import Client
from temporalio.service import RPCError

from core.fleet.errors import FleetError

_KINDS = (
    ("workflow", TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    ("activity", TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
)


@dataclass(frozen=True)
class Poller:
    """One poller Temporal saw on a task queue.

    Attributes:
        identity: the worker's identity (its registry id for this app's workers).
        kind: ``workflow`` or ``activity`` tasks.
        last_access_time: when it last polled (server clock, UTC), if reported.
        build_id: the build id it announced (names the exact code), if any.
    """

    identity: str
    kind: str
    last_access_time: datetime | None
    build_id: str | None


async def describe_pollers(client: Client, task_queue: str) -> list[Poller]:
    """Ask Temporal who polls ``task_queue``, for workflow then activity tasks.

    Raises:
        FleetError: Temporal refused the request; the message names the queue.
    """
    found: list[Poller] = []
    for kind, response in await _describe(client, task_queue, what="pollers"):
        for info in response.pollers:
            found.append(
                Poller(
                    identity=info.identity,
                    kind=kind,
                    last_access_time=(
                        info.last_access_time.ToDatetime(tzinfo=UTC)
                        if info.HasField("last_access_time")
                        else None
                    ),
                    build_id=info.worker_version_capabilities.build_id or None,
                )
            )
    return found


@dataclass(frozen=True)
class QueueLoad:
    """Temporal's statistics of one task queue's tasks of one kind.

    Attributes:
        kind: ``workflow`` or ``activity`` tasks.
        backlog: tasks waiting for a worker (approximate).
        backlog_age_seconds: how long the oldest waiting task has waited: the
            schedule-to-start latency a new task meets now.
        add_rate: tasks added per second, recently.
        dispatch_rate: tasks handed to workers per second, recently.
    """

    kind: str
    backlog: int
    backlog_age_seconds: float
    add_rate: float
    dispatch_rate: float


async def describe_queue_load(client: Client, task_queue: str) -> list[QueueLoad]:
    """Temporal's backlog and rates of ``task_queue``, for workflow then activity tasks.

    Raises:
        FleetError: Temporal refused the request; the message names the queue.
    """
    found: list[QueueLoad] = []
    for kind, response in await _describe(
        client, task_queue, what="task statistics", report_stats=True
    ):
        stats = response.stats
        found.append(
            QueueLoad(
                kind=kind,
                backlog=int(stats.approximate_backlog_count),
                backlog_age_seconds=stats.approximate_backlog_age.ToTimedelta().total_seconds(),
                add_rate=float(stats.tasks_add_rate),
                dispatch_rate=float(stats.tasks_dispatch_rate),
            )
        )
    return found


async def _describe(
    client: Client, task_queue: str, *, what: str, report_stats: bool = False
) -> list[tuple[str, DescribeTaskQueueResponse]]:
    """Temporal's description of ``task_queue`` for workflow then activity tasks.

    Raises:
        FleetError: Temporal refused the request; the message names the queue and ``what``.
    """
    found = []
    for kind, queue_type in _KINDS:
        request = DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
            task_queue_type=queue_type,
            report_stats=report_stats,
        )
        try:
            response = await client.workflow_service.describe_task_queue(
                request, timeout=timedelta(seconds=10)
            )
        except RPCError as exc:
            raise FleetError(
                f"Temporal cannot describe its {kind} {what}: {exc.message}",
                task_queue=task_queue,
            ) from exc
        found.append((kind, response))
    return found
