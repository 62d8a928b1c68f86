"""Placement: which task queue a workflow's deployments run on, and by which strategy."""

from __future__ import annotations

from core.config import Settings
from core.db import QueueStrategy


def task_queue_for(*, graph_task_queue: str | None, workflow_name: str, settings: Settings) -> str:
    """The task queue a workflow is deployed to.

    The graph's own ``task_queue`` always wins. A workflow naming none is placed by
    ``settings.queue_strategy`` (``WB_QUEUE_STRATEGY``):

    - ``per_workflow`` (default): its own queue ``<default_task_queue>-<workflow name>``, so
      each workflow gets its own workers and one busy workflow cannot starve the others;
    - ``single``: ``settings.default_task_queue``, one worker for everything.

    Args:
        graph_task_queue: the queue the graph names, or None.
        workflow_name: the workflow's name (a slug, so valid in a queue name).
        settings: ``default_task_queue`` and ``queue_strategy``.

    Returns:
        The task queue name.
    """
    if graph_task_queue:
        return graph_task_queue
    if settings.queue_strategy == "single":
        return settings.default_task_queue
    return f"{settings.default_task_queue}-{workflow_name}"


def strategy_of(task_queue: str, *, workflow_name: str, settings: Settings) -> QueueStrategy:
    """The strategy that placed ``workflow_name`` on ``task_queue``, for its queue row.

    A queue of the workflow's own per-workflow name is ``per_workflow``; any other (the
    default queue, or a queue graphs name themselves) may be shared by several workflows
    served by one set of workers, which is ``single``. Deriving it from the name keeps it
    right for deployments made before a change of ``WB_QUEUE_STRATEGY``.
    """
    if task_queue == f"{settings.default_task_queue}-{workflow_name}":
        return QueueStrategy.PER_WORKFLOW
    return QueueStrategy.SINGLE
