"""Which code a task queue serves: its live deployments' bundles, read from disk or rebuilt."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.activities import ActivityRegistry
from core.compiler import compile_graph
from core.compiler.bundle import Bundle
from core.db import Database, DeploymentRecord, DeploymentStatus
from core.errors import WorkflowBuilderError
from core.fleet.errors import DeploymentCodeError
from core.graph.document import graph_from_dict
from core.runtime import BundleStore, LoadedBundle, load_bundle, read_bundle

logger = logging.getLogger(__name__)

#: Deployments whose code a queue's workers load: new (being deployed), current, and older
#: ones that still have open runs to replay.
SERVED_STATUSES = (DeploymentStatus.PENDING, DeploymentStatus.ACTIVE, DeploymentStatus.DRAINING)


@dataclass(frozen=True)
class QueueCode:
    """The code a queue's workers run.

    Attributes:
        task_queue: the queue.
        deployments: the deployments served, newest first.
        bundles: their loaded bundles, in the same order.
    """

    task_queue: str
    deployments: tuple[DeploymentRecord, ...]
    bundles: tuple[LoadedBundle, ...]

    @property
    def deployment_ids(self) -> frozenset[int]:
        """The ids of the deployments served (what a standalone worker watches for changes)."""
        return frozenset(d.id for d in self.deployments)


def served_deployments(database: Database, task_queue: str) -> list[DeploymentRecord]:
    """The pending, active and draining deployments of ``task_queue``, newest first."""
    return database.deployments.find(task_queue=task_queue, statuses=SERVED_STATUSES)


def load_queue_code(
    database: Database, *, task_queue: str, store: BundleStore, registry: ActivityRegistry
) -> QueueCode:
    """Load the bundle of every deployment ``task_queue`` serves.

    Raises:
        DeploymentCodeError: a deployment's bundle cannot be read, rebuilt, stored or imported;
            the message names the deployment.
    """
    deployments = served_deployments(database, task_queue)
    bundles = tuple(
        _load(database, deployment, store=store, registry=registry) for deployment in deployments
    )
    return QueueCode(task_queue=task_queue, deployments=tuple(deployments), bundles=bundles)


def _load(
    database: Database,
    deployment: DeploymentRecord,
    *,
    store: BundleStore,
    registry: ActivityRegistry,
) -> LoadedBundle:
    def fail(reason: str) -> DeploymentCodeError:
        return DeploymentCodeError(
            reason,
            task_queue=deployment.task_queue,
            deployment_id=deployment.id,
            workflow_type=deployment.workflow_type,
        )

    try:
        version = database.versions.get_by_id(deployment.version_id)
        folder = Path(deployment.bundle_dir)
        if folder.is_dir():
            bundle, origin = read_bundle(folder), f"read from {folder}"
        else:
            # Workers on other machines have no shared disk: compiling is deterministic, so the
            # stored graph gives the same bytes, which the digest check below proves.
            bundle, origin = (
                _rebuild(deployment, version.graph, version.version, registry),
                (f"rebuilt from version {version.version}'s graph ({folder} is not here)"),
            )
        if bundle.digest != version.bundle_hash:
            raise fail(
                f"the bundle {origin} has digest {bundle.digest[:12]}, but version "
                f"{version.version} was built as {version.bundle_hash[:12]}; the code differs "
                "from what was deployed"
            )
        if bundle.workflow_type != deployment.workflow_type:
            raise fail(f"the bundle {origin} defines workflow type {bundle.workflow_type!r}")
        loaded = load_bundle(store.write(bundle))
    except DeploymentCodeError:
        raise
    except WorkflowBuilderError as exc:
        raise fail(str(exc)) from exc
    logger.info("deployment %s (%s): bundle %s", deployment.id, bundle.workflow_type, origin)
    return loaded


def _rebuild(
    deployment: DeploymentRecord, graph: dict, version: int, registry: ActivityRegistry
) -> Bundle:
    # The deployment's queue is the default the deploy compiled with for graphs naming none.
    return compile_graph(
        graph_from_dict(graph),
        registry=registry,
        version=version,
        default_task_queue=deployment.task_queue,
    )
