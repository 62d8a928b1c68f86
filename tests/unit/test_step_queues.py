"""Planning the queues a graph's steps run activities on, as a deploy records and serves them."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from typing import Any

from core.activities import builtin_registry
from core.config import REPO_ROOT
from core.db import DeploymentRecord, DeploymentStatus
from core.deploy.queues import step_queues
from core.graph import graph_from_dict
from core.validation import check

MIGRATION = REPO_ROOT / "core/db/migrations/versions/0012_deployment_step_queues.py"


def _step(node_id: str, activity: str, args: dict[str, Any], **params: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "type": "activity",
        "label": node_id,
        "params": {"activity": activity, "args": args, **params},
        "position": {"x": 0, "y": 0},
    }


def _document() -> dict[str, Any]:
    """Start, then six steps in a row, naming queues in every way a graph can."""
    steps = [
        _step("plain", "echo", {"value": 1}),  # the workflow's queue
        _step("own", "echo", {"value": 2}, task_queue="main"),  # its own queue, named
        _step("gpu_echo", "echo", {"value": 3}, task_queue="gpu"),
        _step("gpu_log", "log", {"message": "hi"}, task_queue="gpu"),
        _step("gpu_again", "echo", {"value": 4}, task_queue="gpu"),  # listed once
        _step("io_log", "log", {"message": "hi"}, task_queue="io"),
        _step("here", "log", {"message": "hi"}, local=True),  # local: the workflow's worker
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
        "workflow": {"name": "steps_elsewhere", "task_queue": None},
        "nodes": nodes,
        "edges": edges,
    }


def test_each_other_queue_is_planned_with_the_activities_its_steps_run():
    checked = check(graph_from_dict(_document()), registry=builtin_registry())

    assert step_queues(checked, own_queue="main") == {"gpu": ("echo", "log"), "io": ("log",)}


def test_a_graph_whose_steps_use_its_own_queue_plans_none():
    checked = check(graph_from_dict(_document()), registry=builtin_registry())

    # Deployed on gpu, its gpu steps run on its own worker; only io is elsewhere.
    assert step_queues(checked, own_queue="gpu") == {"io": ("log",), "main": ("echo",)}


def test_the_migration_finds_the_same_queues_in_stored_graphs():
    # Deployments made before step queues were recorded get theirs from their version's graph.
    spec = importlib.util.spec_from_file_location("migration_0012", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    checked = check(graph_from_dict(_document()), registry=builtin_registry())

    for own in ("main", "gpu"):
        planned = {
            queue: list(names) for queue, names in step_queues(checked, own_queue=own).items()
        }
        assert migration._step_queues(_document(), own) == planned


def test_a_deployment_is_served_on_its_own_queue_first_then_its_steps_queues():
    deployment = DeploymentRecord(
        id=1,
        workflow_id=1,
        version_id=1,
        task_queue="main",
        workflow_type="steps_elsewhere_v1",
        status=DeploymentStatus.ACTIVE,
        error=None,
        bundle_dir="/nowhere",
        created_at=datetime(2026, 11, 30, tzinfo=UTC),
        activated_at=None,
        retired_at=None,
        step_queues={"io": ["log"], "gpu": ["echo", "log"]},
    )

    assert deployment.queues == ("main", "gpu", "io")
