"""Task queues a graph's steps name must have workers, or their runs would wait for ever."""

from __future__ import annotations

from collections.abc import Mapping

from core.compiler import ChildTarget
from core.db import Database, WorkerStatus
from core.fleet.code import activities_served
from core.nodes.kinds.activity import ActivityParams
from core.nodes.kinds.child_workflow import ChildWorkflowParams
from core.validation import CheckedGraph

#: Registry states of a worker that polls, or is about to.
_POLLING = (WorkerStatus.STARTING, WorkerStatus.RUNNING)


def unserved_queues(
    database: Database,
    checked: CheckedGraph,
    *,
    own_queue: str,
    children: Mapping[str, ChildTarget],
) -> list[str]:
    """Why each step naming a task queue of its own would wait on it for ever (empty: none).

    An activity may run on the workflow's own queue, or on a queue whose workers poll and run
    it (a queue's workers register the activities of the bundles they serve). A child
    workflow may run on the queue its own deployment serves, or on a queue whose workers can
    run its deployed type.
    """
    problems: list[str] = []
    for node in checked.graph.nodes:
        if node.type == "activity":
            step = checked.params_of(node.id, ActivityParams)
            queue = step.task_queue
            if queue is None or queue == own_queue:
                continue
            if _polled(database, queue, None) and step.activity in activities_served(
                database, queue
            ):
                continue
            problems.append(
                f"node {node.id!r} runs activity {step.activity!r} on task queue {queue!r}, "
                f"where no worker runs it: deploy a workflow that uses {step.activity!r} on "
                f"{queue!r} (its workers then run it, python -m core worker --task-queue "
                f"{queue} on other machines), or clear the node's task queue to use the "
                f"workflow's ({own_queue!r})"
            )
        elif node.type == "child_workflow":
            params = checked.params_of(node.id, ChildWorkflowParams)
            target = children.get(params.workflow)
            queue = params.task_queue
            if queue is None or target is None:
                continue
            if queue == (target.task_queue or own_queue):
                continue
            if not _polled(database, queue, target.workflow_type):
                problems.append(
                    f"node {node.id!r} starts {params.workflow!r} on task queue {queue!r}, where "
                    f"no worker runs {target.workflow_type!r}: clear the node's task queue to "
                    "use the one its deployment serves"
                )
    return problems


def _polled(database: Database, queue: str, workflow_type: str | None) -> bool:
    return bool(
        database.workers.find(task_queue=queue, statuses=_POLLING, workflow_type=workflow_type)
    )
