"""Which code a task queue serves: its live deployments' bundles, read from disk or rebuilt."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.activities import ActivityRegistry
from core.compiler import children_of, compile_graph
from core.compiler.bundle import Bundle
from core.db import Database, DeploymentRecord, DeploymentStatus, VersionRecord
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
        load_deployment(database, deployment, store=store, registry=registry)
        for deployment in deployments
    )
    return QueueCode(task_queue=task_queue, deployments=tuple(deployments), bundles=bundles)


def load_deployment(
    database: Database,
    deployment: DeploymentRecord,
    *,
    store: BundleStore,
    registry: ActivityRegistry,
) -> LoadedBundle:
    """Import the exact code a deployment was deployed with (see ``_deployed_bundle``).

    Raises:
        DeploymentCodeError: the bundle cannot be read, rebuilt, stored or imported, or it is
            not byte for byte what was deployed; the message names the deployment.
    """

    def fail(reason: str) -> DeploymentCodeError:
        return DeploymentCodeError(
            reason,
            task_queue=deployment.task_queue,
            deployment_id=deployment.id,
            workflow_type=deployment.workflow_type,
        )

    try:
        version = database.versions.get_by_id(deployment.version_id)
        bundle, origin = _deployed_bundle(database, deployment, version, registry=registry)
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
    except ValueError as exc:  # Bundle.from_files: the database's copy is damaged
        raise fail(f"the bundle kept in the database is unreadable: {exc}") from None
    logger.info(
        "deployment %s (%s): bundle %s",
        deployment.id,
        bundle.workflow_type,
        origin,
        extra={"deployment_id": deployment.id, "workflow_type": bundle.workflow_type},
    )
    return loaded


def activities_served(database: Database, task_queue: str) -> frozenset[str]:
    """Names of the activities the workers of ``task_queue`` run: a queue's workers register
    the activities of the bundles they serve (each bundle's manifest lists its own)."""
    names: set[str] = set()
    for deployment in served_deployments(database, task_queue):
        kept = _kept_bundle(database, deployment)
        if kept is None:
            continue  # rebuilt only when loaded; its activities are not known here
        names.update(str(item["name"]) for item in kept[0].manifest.get("activities", ()))
    return frozenset(names)


def _deployed_bundle(
    database: Database,
    deployment: DeploymentRecord,
    version: VersionRecord,
    *,
    registry: ActivityRegistry,
) -> tuple[Bundle, str]:
    """The deployment's bundle and where it came from: the files it was deployed with, else,
    for versions deployed before the database kept them, rebuilt from the graph."""
    kept = _kept_bundle(database, deployment)
    if kept is not None:
        return kept
    # Compiling is deterministic for one compiler version: the digest check proves it.
    # The deployment's queue is the default the deploy compiled with.
    bundle = compile_version(version, registry=registry, default_task_queue=deployment.task_queue)
    return (
        bundle,
        f"rebuilt from version {version.version}'s graph ({deployment.bundle_dir} is not here)",
    )


def _kept_bundle(database: Database, deployment: DeploymentRecord) -> tuple[Bundle, str] | None:
    """The files a deployment was deployed with and where they came from: its folder, else the
    copy the database keeps of every version's files (workers on other machines have no
    folder); None when neither is there.

    Raises:
        BundleStoreError: the folder is unreadable. ValueError: the database's copy is.
    """
    folder = Path(deployment.bundle_dir)
    if folder.is_dir():
        return read_bundle(folder), f"read from {folder}"
    files = database.versions.bundle_files(deployment.version_id)
    if files is not None:
        return Bundle.from_files(files), "read from the database"
    return None


def compile_version(
    version: VersionRecord, *, registry: ActivityRegistry, default_task_queue: str
) -> Bundle:
    """Compile a stored version's graph with the build options stored with it.

    Gives the bytes the version was deployed as while the compiler version is unchanged.

    Args:
        version: the stored version (graph, number, build options such as child targets).
        registry: the activities graphs may call.
        default_task_queue: the queue for graphs naming none (the version's deployment queue).

    Raises:
        WorkflowBuilderError: the graph or its stored options no longer compile.
    """
    return compile_graph(
        graph_from_dict(version.graph),
        registry=registry,
        version=version.version,
        default_task_queue=default_task_queue,
        children=children_of(version.build_options),
    )
