"""The task queues a graph's steps name: where activities run, and whether children are served."""

from __future__ import annotations

from collections.abc import Mapping

from core.compiler import ChildTarget
from core.db import Database, WorkerStatus
from core.nodes.catalog import child_workflow
from core.nodes.kinds.activity import ActivityParams
from core.validation import CheckedGraph

#: Registry states of a worker that polls, or is about to.
_POLLING = (WorkerStatus.STARTING, WorkerStatus.RUNNING)


def step_queues(checked: CheckedGraph, *, own_queue: str) -> dict[str, tuple[str, ...]]:
    """The task queues other than ``own_queue`` that the graph's activity steps run on, each
    with the activities run there (sorted), as a deployment records them.

    The fleet serves each such queue with the deployment's activities alone (its workflow runs
    on ``own_queue``), so a step's queue needs no workflow deployed to it.
    """
    found: dict[str, set[str]] = {}
    for step in checked.params.values():
        if not isinstance(step, ActivityParams):
            continue
        # A step naming a queue is never local (validation refuses local steps with one).
        if step.task_queue and step.task_queue != own_queue:
            found.setdefault(step.task_queue, set()).add(step.activity)
    return {queue: tuple(sorted(names)) for queue, names in sorted(found.items())}


def unserved_queues(
    database: Database,
    checked: CheckedGraph,
    *,
    own_queue: str,
    children: Mapping[str, ChildTarget],
) -> list[str]:
    """Why each child workflow step naming a task queue would wait on it for ever (empty: none).

    A child workflow may run on the queue its own deployment serves, or on a queue whose
    workers can run its deployed type. (An activity step's queue is always served: the
    deployment's own workers serve it, see :func:`step_queues`.)
    """
    problems: list[str] = []
    for node in checked.graph.nodes:
        name = child_workflow(node.type, node.params)
        target = children.get(name) if name is not None else None
        queue = node.params.get("task_queue")
        if queue is None or target is None:
            continue
        if queue == (target.task_queue or own_queue):
            continue
        if not polled(database, queue, workflow_type=target.workflow_type):
            problems.append(
                f"node {node.id!r} starts {name!r} on task queue {queue!r}, where "
                f"no worker runs {target.workflow_type!r}: clear the node's task queue to "
                "use the one its deployment serves"
            )
    return problems


def polled(database: Database, queue: str, *, workflow_type: str | None = None) -> bool:
    """Whether a registered worker polls ``queue`` (one that runs ``workflow_type``, if given)."""
    return bool(
        database.workers.find(task_queue=queue, statuses=_POLLING, workflow_type=workflow_type)
    )
