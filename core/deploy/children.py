"""Which deployed version a parent workflow starts for each child workflow it names."""

from __future__ import annotations

from core.compiler import ChildTarget
from core.db import Database, RecordNotFoundError


def active_child_target(database: Database, workflow_name: str) -> ChildTarget | None:
    """The type and task queue of the workflow's active deployment, and the run timeout its
    graph sets (None when it has none).

    Deployed workflows run as ``<name>_v<N>`` on their own queue, so a parent starts a child
    by the type and on the queue of the child's active deployment.
    """
    try:
        child = database.workflows.get_by_name(workflow_name)
    except RecordNotFoundError:
        return None
    active = database.deployments.active_for_workflow(child.id)
    if active is None:
        return None
    graph = database.versions.get_by_id(active.version_id).graph
    return ChildTarget(
        workflow_type=active.workflow_type,
        task_queue=active.task_queue,
        run_timeout=graph.get("workflow", {}).get("run_timeout"),
    )
