"""Deploying a graph by hand: compile it as version 1, record it active and serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.compiler import compile_graph
from core.db import Database
from core.graph import graph_from_dict
from core.runtime.bundle_store import BundleStore
from core.runtime.loader import load_bundle
from core.runtime.worker_host import WorkerHost


def deploy_document_by_hand(
    database: Database, host: WorkerHost, root: Path, document: dict[str, Any], task_queue: str
) -> int:
    """What a deploy does, without the pipeline: returns the new workflow's id."""
    bundle = compile_graph(graph_from_dict(document), version=1, default_task_queue=task_queue)
    stored = BundleStore(root).write(bundle)
    host.add_worker(task_queue, [load_bundle(stored)])
    workflow = database.workflows.create(name=document["workflow"]["name"], graph=document)
    version = database.versions.create_next(
        workflow.id,
        graph=document,
        graph_hash=bundle.manifest["graph_hash"],
        bundle_hash=bundle.digest,
        compiler_version=str(bundle.manifest["compiler_version"]),
    )
    deployment = database.deployments.create(
        workflow_id=workflow.id,
        version_id=version.id,
        task_queue=task_queue,
        workflow_type=bundle.workflow_type,
        bundle_dir=str(stored.path),
    )
    database.deployments.activate(deployment.id)
    return workflow.id
