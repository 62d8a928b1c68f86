"""Temporal's own view of a task queue: who polled it for workflow and activity tasks, and when."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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

#: How long after a worker stopped a poller with its identity that polled since is still taken
#: for what is left of it (a poll under way at the stop, or clocks that differ a little).
STOPPED_POLLER_GRACE = timedelta(minutes=3)

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
class PollerCheck:
    """Temporal's pollers of a queue measured against the workers this app registered there.

    Attributes:
        unregistered: identities no live registered worker has (another tool's worker, a
            registry entry gone stale, or a stopped worker still polling after the grace).
        left_behind: identities of registered workers that stopped, which Temporal still
            lists (it forgets a poller about five minutes after its last poll).
    """

    unregistered: tuple[str, ...]
    left_behind: tuple[str, ...]


def check_pollers(
    pollers: Iterable[Poller],
    *,
    live: Iterable[str],
    stopped: Mapping[str, datetime],
    now: datetime,
    grace: timedelta = STOPPED_POLLER_GRACE,
) -> PollerCheck:
    """Sort Temporal's pollers of one queue into the unexplained and those of stopped workers.

    Temporal lists a worker's poller for about five minutes after its last poll (300 s
    measured on the embedded server 1.32), so right after this app stops a worker its
    identity is still there. A poller is what is left of a stopped worker when it has not
    polled since the stop, or the stop was less than ``grace`` ago.

    Args:
        pollers: who Temporal saw polling the queue (workflow and activity tasks).
        live: identities of the queue's registered workers that are starting, running or
            stopping.
        stopped: when each of the queue's stopped or failed registered workers stopped, by
            identity.
        now: the current time (UTC; tests pass their own).
        grace: how long after a stop a poller that polled since still counts as left behind.
    """
    live = set(live)
    unregistered: set[str] = set()
    left_behind: set[str] = set()
    for poller in pollers:
        if poller.identity in live:
            continue
        stop = stopped.get(poller.identity)
        if stop is not None and (
            (poller.last_access_time is not None and poller.last_access_time <= stop)
            or now - stop < grace
        ):
            left_behind.add(poller.identity)
        else:
            unregistered.add(poller.identity)
    # One identity polls for workflow and activity tasks: unexplained if either poller is.
    return PollerCheck(
        unregistered=tuple(sorted(unregistered)),
        left_behind=tuple(sorted(left_behind - unregistered)),
    )


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
