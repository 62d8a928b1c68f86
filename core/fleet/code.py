"""Which code a task queue serves: its live deployments' bundles, read from disk or rebuilt, and
the activities of deployments whose steps run there."""

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
from core.runtime import BundleStore, LoadedBundle, StepActivities, load_bundle, read_bundle

logger = logging.getLogger(__name__)

#: Deployments whose code a queue's workers load: new (being deployed), current, and older
#: ones that still have open runs to replay.
SERVED_STATUSES = (DeploymentStatus.PENDING, DeploymentStatus.ACTIVE, DeploymentStatus.DRAINING)


@dataclass(frozen=True)
class QueueCode:
    """The code a queue's workers run.

    Attributes:
        task_queue: the queue.
        deployments: the deployments whose workflow queue it is, newest first.
        bundles: their loaded bundles, in the same order (workflows and activities).
        step_deployments: the deployments whose steps run activities on it, newest first.
        steps: those activities, in the same order (no workflows: their runs are elsewhere).
    """

    task_queue: str
    deployments: tuple[DeploymentRecord, ...]
    bundles: tuple[LoadedBundle, ...]
    step_deployments: tuple[DeploymentRecord, ...] = ()
    steps: tuple[StepActivities, ...] = ()

    @property
    def deployment_ids(self) -> frozenset[int]:
        """The ids of the deployments served (what a standalone worker watches for changes)."""
        return frozenset(d.id for d in (*self.deployments, *self.step_deployments))

    @property
    def empty(self) -> bool:
        """Nothing to serve: no workflow runs here, and no step."""
        return not self.bundles and not self.steps

    @property
    def activity_only(self) -> bool:
        """Only steps of workflows that run elsewhere use the queue."""
        return not self.bundles and bool(self.steps)


def served_deployments(database: Database, task_queue: str) -> list[DeploymentRecord]:
    """The pending, active and draining deployments of ``task_queue``, newest first."""
    return database.deployments.find(task_queue=task_queue, statuses=SERVED_STATUSES)


def step_deployments(database: Database, task_queue: str) -> list[DeploymentRecord]:
    """The pending, active and draining deployments whose steps run activities on
    ``task_queue`` (a queue other than their own), newest first."""
    # Few deployments are live at once, so filtering here beats a JSON query per dialect.
    return [
        deployment
        for deployment in database.deployments.find(statuses=SERVED_STATUSES)
        if task_queue in deployment.step_queues
    ]


def queues_to_serve(database: Database, statuses: tuple[DeploymentStatus, ...]) -> list[str]:
    """Every queue whose workers load code of a deployment in ``statuses`` (its own queue and
    its steps'), sorted."""
    found = database.deployments.find(statuses=statuses)
    return sorted({queue for deployment in found for queue in deployment.queues})


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
    stepping = step_deployments(database, task_queue)
    steps = tuple(
        StepActivities(
            load_deployment(database, deployment, store=store, registry=registry),
            tuple(deployment.step_queues[task_queue]),
        )
        for deployment in stepping
    )
    return QueueCode(
        task_queue=task_queue,
        deployments=tuple(deployments),
        bundles=bundles,
        step_deployments=tuple(stepping),
        steps=steps,
    )


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
