"""The deploy check of child workflow steps that name a task queue: refused where no worker
polls for the child's type, let through where one does or where the child's deployment runs."""

from __future__ import annotations

from typing import Any

from core.activities import builtin_registry
from core.compiler import ChildTarget
from core.db import Capability, Database, WorkerStatus
from core.deploy.queues import unserved_queues
from core.graph import graph_from_dict
from core.validation import check

CHILD = ChildTarget(workflow_type="greeter_v3", task_queue="kids")


def _parent(queues: dict[str, str | None]) -> dict[str, Any]:
    """Start, then a step starting ``greeter`` on each queue given (None: its own), then end."""
    steps = [
        {
            "id": node_id,
            "type": "child_workflow",
            "label": node_id,
            "params": {"workflow": "greeter", "task_queue": queue},
            "position": {},
        }
        for node_id, queue in queues.items()
    ]
    start = {"id": "start", "type": "start", "label": "Start", "params": {}, "position": {}}
    end = {"id": "end", "type": "end", "label": "End", "params": {}, "position": {}}
    nodes = [start, *steps, end]
    edges = [
        {"id": f"e{i}", "source": a["id"], "target": b["id"], "handle": "next"}
        for i, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))
    ]
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": "parent", "task_queue": None},
        "nodes": nodes,
        "edges": edges,
    }


def test_only_a_child_on_a_queue_no_worker_polls_for_its_type_is_refused(database: Database):
    database.workers.register(
        worker_id="kid", task_queue="served", host="h", capabilities=[Capability("greeter_v3")]
    )
    database.workers.set_status("kid", WorkerStatus.RUNNING)
    # A worker polls "busy" too, but for another type.
    database.workers.register(
        worker_id="other", task_queue="busy", host="h", capabilities=[Capability("other_v1")]
    )
    document = _parent({"own": None, "deployed": "kids", "served": "served", "busy": "busy"})
    checked = check(graph_from_dict(document), registry=builtin_registry())

    problems = unserved_queues(database, checked, own_queue="main", children={"greeter": CHILD})

    assert problems == [
        "node 'busy' starts 'greeter' on task queue 'busy', where no worker runs 'greeter_v3': "
        "clear the node's task queue to use the one its deployment serves"
    ]
    # A child without a deployment is refused before this check, by the deploy's children.
    assert unserved_queues(database, checked, own_queue="main", children={}) == []
