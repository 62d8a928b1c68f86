"""The bundle of a stored version: the deployed files (on disk, else the database's copy), or
rebuilt for versions deployed before the copy was kept."""

from __future__ import annotations

import logging
from pathlib import Path

from core.activities import ActivityRegistry
from core.compiler import Bundle
from core.config import Settings
from core.db import Database, VersionRecord
from core.errors import WorkflowBuilderError
from core.fleet.code import compile_version
from core.fleet.placement import task_queue_for
from core.graph import graph_from_dict
from core.runtime import read_bundle

logger = logging.getLogger(__name__)


def version_bundle(
    database: Database,
    version: VersionRecord,
    *,
    registry: ActivityRegistry,
    settings: Settings,
) -> Bundle:
    """The exact bundle ``version`` was built as, or its graph compiled by today's compiler.

    A deployment's folder, and the database's copy, hold the bytes that ran; compiling again
    (with the version's stored build options) gives the same bytes only while the compiler
    version is unchanged, so it is the last resort, for versions that have neither.

    Raises:
        WorkflowBuilderError: the stored graph no longer compiles (and no folder is left).
    """
    for deployment in database.deployments.find(workflow_id=version.workflow_id):
        folder = Path(deployment.bundle_dir)
        if deployment.version_id == version.id and folder.is_dir():
            try:
                bundle = read_bundle(folder)
            except WorkflowBuilderError:
                logger.warning("bundle folder %s is unreadable; rebuilding", folder)
                continue
            if bundle.digest == version.bundle_hash:
                return bundle
    files = database.versions.bundle_files(version.id)
    if files is not None:
        try:
            kept = Bundle.from_files(files)
        except ValueError as exc:
            logger.warning(
                "the kept bundle of version %s is unreadable (%s); rebuilding", version.id, exc
            )
        else:
            if kept.digest == version.bundle_hash:
                return kept
    graph = graph_from_dict(version.graph)
    queue = deployed_queue(database, version) or task_queue_for(
        graph_task_queue=graph.workflow.task_queue,
        workflow_name=graph.workflow.name,
        settings=settings,
    )
    return compile_version(version, registry=registry, default_task_queue=queue)


def deployed_queue(database: Database, version: VersionRecord) -> str | None:
    """The queue ``version`` was deployed to (the default it was compiled with), if any."""
    for deployment in database.deployments.find(workflow_id=version.workflow_id):
        if deployment.version_id == version.id:
            return deployment.task_queue
    return None
