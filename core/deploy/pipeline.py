"""The deploy pipeline: validate, compile, write, import, replay gate, load, schedule, ready."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core.activities import ActivityRegistry
from core.compiler import Bundle, ChildTarget, build_options, children_of, compile_graph
from core.config import Settings
from core.db import (
    Database,
    DeploymentRecord,
    DuplicateRecordError,
    InvalidRecordError,
    VersionRecord,
    WorkflowRecord,
)
from core.deploy.bundles import deployed_queue
from core.deploy.children import active_child_target
from core.deploy.errors import DeployError
from core.deploy.histories import recent_histories
from core.deploy.queues import polled, step_queues, unserved_queues
from core.deploy.recovery import process_owner
from core.deploy.replay import check_replay
from core.deploy.steps import DeployStep, ProgressCallback, StepReporter
from core.errors import WorkflowBuilderError
from core.executions import execution_timeout
from core.fleet.code import compile_version, load_deployment
from core.fleet.placement import strategy_of, task_queue_for
from core.graph import Graph, graph_from_dict, graph_to_dict
from core.nodes.catalog import child_workflow
from core.runtime import BundleStore, WorkerHost, load_bundle
from core.schedules import ScheduleError, ScheduleTarget, apply_schedule, cron_of
from core.secrets.references import document_secrets
from core.validation import CheckedGraph, check

logger = logging.getLogger(__name__)


class Fleet(Protocol):
    """What a deploy needs of the worker fleet (``core.fleet.WorkerManager`` provides it)."""

    @property
    def host(self) -> WorkerHost:
        """A worker host whose loop and client serve Temporal calls."""
        ...

    def apply_queue(self, task_queue: str) -> Sequence[Any]:
        """Load every pending, active and draining deployment of the queue on its workers."""
        ...


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did.

    Attributes:
        version: the version now serving new runs.
        deployment: its active deployment.
        new_version: a version was created (False when an existing one was deployed again).
        unchanged: nothing was done: the graph and its code equal the active version's.
        previous: the deployment that was active before and is now draining, if any.
        steps: the final report of each step, in order.
    """

    version: VersionRecord
    deployment: DeploymentRecord
    new_version: bool
    unchanged: bool
    previous: DeploymentRecord | None
    steps: tuple[DeployStep, ...]

    @property
    def workflow_type(self) -> str:
        """The Temporal workflow type new runs start."""
        return self.deployment.workflow_type


@dataclass(frozen=True)
class _Build:
    number: int
    graph: dict[str, Any]
    children: Mapping[str, ChildTarget]  # the deployed child workflows the code starts
    bundle: Bundle
    existing: VersionRecord | None  # set when the build is an existing version's own bytes
    # Other queues its steps run activities on (see core.deploy.queues.step_queues).
    step_queues: Mapping[str, tuple[str, ...]]


class Deployer:
    """Turns a graph document into a serving deployment, or leaves everything as it was.

    Deploys of one workflow run one at a time in this process; across processes, the version
    repository hands out each number once (a clash fails the later deploy, which can retry).

    Args:
        database: workflows, versions and deployments.
        fleet: the worker fleet that loads deployments.
        registry: the activities graphs may call.
        settings: ``deploy_dir``, and ``default_task_queue`` with ``queue_strategy`` to place
            workflows naming no task queue (see ``core.fleet.placement``).
        history_limit: most recent runs the determinism gate replays.
    """

    def __init__(
        self,
        *,
        database: Database,
        fleet: Fleet,
        registry: ActivityRegistry,
        settings: Settings,
        history_limit: int = 20,
    ) -> None:
        self._db = database
        self._fleet = fleet
        self._registry = registry
        self._settings = settings
        self._store = BundleStore(settings.deploy_dir)
        self._history_limit = history_limit
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def deploy_document(
        self,
        workflow_id: int,
        document: Mapping[str, Any] | None,
        *,
        progress: ProgressCallback | None = None,
        rollback_of: int | None = None,
    ) -> DeployResult:
        """Deploy ``document`` as the workflow's newest version (see :class:`DeployResult`).

        ``rollback_of`` is recorded on a new version when a rollback deploys that version's
        graph again.

        Raises:
            RecordNotFoundError: no such workflow.
            GraphFormatError, GraphInvalidError: the graph cannot be read or has problems.
            CompileError: code cannot be generated for it.
            DeployError: a workflow it starts as a child has no active deployment, the bundle
                cannot be written or imported, the workers cannot load it (the deployment is
                then recorded as failed with this error), or another deploy took the version
                number.
            DeterminismError: the code of the active version would change and its runs do
                not replay against the new code.
        """
        workflow = self._db.workflows.get(workflow_id)
        report = StepReporter(progress)
        with self._lock(workflow_id):
            with report.step("validate", "checking the graph") as out:
                graph = graph_from_dict(document)
                if graph.workflow.name != workflow.name:
                    raise DeployError(
                        f"the graph is named {graph.workflow.name!r}; rename it to "
                        f"{workflow.name!r} (a workflow's runs and types carry its name)",
                        workflow=workflow.name,
                        step="validate",
                    )
                checked = check(graph, registry=self._registry)
                self._check_secrets(workflow.name, document)
                out.append(f"{len(graph.nodes)} nodes, {len(graph.edges)} edges")
            latest = self._db.versions.latest(workflow_id)
            active = self._db.deployments.active_for_workflow(workflow_id)
            with report.step("compile", "generating the workflow code") as out:
                try:
                    children = self._children(workflow.name, checked)
                    build = self._build(checked, latest, children)
                except WorkflowBuilderError:
                    raise
                except Exception as exc:  # the compiler imports plugin modules, which may raise
                    raise DeployError(
                        f"cannot generate the code: {type(exc).__name__}: {exc}",
                        workflow=workflow.name,
                        step="compile",
                    ) from exc
                out.append(f"{build.bundle.workflow_type} ({build.bundle.digest[:12]})")
                unserved = unserved_queues(
                    self._db, checked, own_queue=build.bundle.task_queue, children=children
                )
                if unserved:
                    raise DeployError("; ".join(unserved), workflow=workflow.name, step="compile")
            if (
                build.existing is not None
                and active is not None
                and active.version_id == build.existing.id
            ):
                with report.step("ready") as out:
                    out.append(f"unchanged: version {build.number} is already serving")
                return DeployResult(
                    version=build.existing,
                    deployment=active,
                    new_version=False,
                    unchanged=True,
                    previous=None,
                    steps=tuple(report.finished),
                )
            with report.step("write", "writing the bundle") as out:
                stored = self._store.write(build.bundle)
                out.append(str(stored.path))
            with report.step("import", "importing the code in a test load") as out:
                loaded = load_bundle(stored)
                out.append(f"{loaded.workflow_class.__name__}, {len(loaded.activities)} activities")
            if build.existing is None and latest is not None and active is not None:
                self._gate(workflow.name, graph, latest, active, report)
            return self._roll_out(
                workflow, build, str(stored.path), active, report, rollback_of=rollback_of
            )

    # ---- planning -----------------------------------------------------------------------

    def _check_secrets(self, workflow: str, document: Mapping[str, Any] | None) -> None:
        """Every secret the graph names must exist, or its steps would fail at run time."""
        missing = sorted(document_secrets(document) - self._db.secrets.names())
        if missing:
            raise DeployError(
                f"the graph uses secret(s) that do not exist: {', '.join(map(repr, missing))}; "
                "an admin can create them on the Secrets page",
                workflow=workflow,
                step="validate",
            )

    def _children(self, workflow: str, checked: CheckedGraph) -> dict[str, ChildTarget]:
        """The active deployment (type and queue) of each workflow the graph starts as a child,
        at the time of this deploy (see ``core.deploy.children``)."""
        targets: dict[str, ChildTarget] = {}
        for node in checked.graph.nodes:
            name = child_workflow(node.type, node.params)
            if name is None or name in targets:
                continue
            if name == workflow:
                raise DeployError(
                    f"node {node.id!r} starts this workflow itself as a child; a deployed "
                    "workflow cannot (its type changes with every version)",
                    workflow=workflow,
                    step="compile",
                )
            target = active_child_target(self._db, name)
            if target is None:
                raise DeployError(
                    f"node {node.id!r} starts workflow {name!r} as a child, but {name!r} has "
                    f"no active deployment; deploy {name!r} first",
                    workflow=workflow,
                    step="compile",
                )
            targets[name] = target
        return targets

    def _build(
        self,
        checked: CheckedGraph,
        latest: VersionRecord | None,
        children: Mapping[str, ChildTarget],
    ) -> _Build:
        graph = checked.graph
        document = graph_to_dict(graph)
        if (
            latest is not None
            and behaviour_hash(latest.graph) == behaviour_hash(document)
            and children_of(latest.build_options) == children
        ):
            # Unchanged (node positions aside) and its children still deployed as they were:
            # the version's own graph, built as before? A child deployed anew since changes
            # the code the parent needs (the type it starts), so that makes a new version.
            queue = deployed_queue(self._db, latest) or self._placed(graph)
            bundle = compile_version(latest, registry=self._registry, default_task_queue=queue)
            if bundle.digest == latest.bundle_hash:
                return _Build(
                    latest.version,
                    latest.graph,
                    children,
                    bundle,
                    existing=latest,
                    step_queues=step_queues(checked, own_queue=bundle.task_queue),
                )
        number = (latest.version if latest else 0) + 1
        bundle = compile_graph(
            graph,
            registry=self._registry,
            version=number,
            default_task_queue=self._placed(graph),
            children=children,
        )
        return _Build(
            number,
            document,
            children,
            bundle,
            existing=None,
            step_queues=step_queues(checked, own_queue=bundle.task_queue),
        )

    def _placed(self, graph: Graph) -> str:
        """The queue a new build is placed on (see ``core.fleet.placement``)."""
        return task_queue_for(
            graph_task_queue=graph.workflow.task_queue,
            workflow_name=graph.workflow.name,
            settings=self._settings,
        )

    # ---- determinism gate ---------------------------------------------------------------

    def _gate(
        self,
        workflow: str,
        graph: Graph,
        latest: VersionRecord,
        active: DeploymentRecord,
        report: StepReporter,
    ) -> None:
        """After a compiler change, replay the active version's recent runs against the code
        that serves them: its kept bundle (never the new compiler's output, which only the new
        version's runs get). What this catches is code that no longer replays where it runs,
        say after a temporalio upgrade, before a deploy drains its runs onto it."""
        unchanged = behaviour_hash(latest.graph) == behaviour_hash(graph_to_dict(graph))
        if active.version_id != latest.id or not unchanged:
            return
        rebuilt = compile_version(
            latest, registry=self._registry, default_task_queue=active.task_queue
        )
        if rebuilt.digest == latest.bundle_hash:
            return  # the new version differs only in the children it starts
        with report.step("replay", f"replaying recent runs of {active.workflow_type}") as out:
            serving = load_deployment(self._db, active, store=self._store, registry=self._registry)
            host = self._fleet.host
            histories = host.call(
                recent_histories(host.client, active.workflow_type, limit=self._history_limit)
            )
            count = host.call(
                check_replay(
                    serving,
                    histories,
                    workflow=workflow,
                    source=serving.bundle.files["workflow.py"],
                )
            )
            out.append(
                f"the compiler changed ({latest.compiler_version} -> "
                f"{rebuilt.manifest['compiler_version']}): a new version; {count} run(s) of "
                f"{active.workflow_type} replay against the code it keeps"
            )

    # ---- rolling out --------------------------------------------------------------------

    def _roll_out(
        self,
        workflow: WorkflowRecord,
        build: _Build,
        bundle_dir: str,
        active: DeploymentRecord | None,
        report: StepReporter,
        *,
        rollback_of: int | None,
    ) -> DeployResult:
        bundle = build.bundle
        with report.step("load", f"loading {bundle.workflow_type} on {bundle.task_queue}") as out:
            version = build.existing or self._create_version(
                workflow, build, rollback_of=rollback_of
            )
            self._db.task_queues.ensure(
                bundle.task_queue,
                strategy=strategy_of(
                    bundle.task_queue, workflow_name=workflow.name, settings=self._settings
                ),
            )
            deployment = self._db.deployments.create(
                workflow_id=version.workflow_id,
                version_id=version.id,
                task_queue=bundle.task_queue,
                workflow_type=bundle.workflow_type,
                bundle_dir=bundle_dir,
                owner=process_owner(),
                step_queues=build.step_queues,
            )
            idle = []
            try:
                # Its own queue first, then the queues its steps run activities on: this
                # process's fleet serves them (standalone workers follow by themselves), but
                # for queues it leaves to standalone workers (WB_STANDALONE_QUEUES).
                for queue in deployment.queues:
                    if not self._fleet.apply_queue(queue) and not polled(self._db, queue):
                        idle.append(queue)
            except Exception as exc:  # any failure must leave the previous set serving
                self._restore(deployment, exc)
                still = f"{active.workflow_type} keeps serving" if active else "nothing serves"
                raise DeployError(
                    f"the workers could not load version {version.version}: {exc}; {still}",
                    workflow=workflow.name,
                    step="load",
                ) from exc
            for queue in deployment.queues:
                names = build.step_queues.get(queue)
                what = f"{', '.join(names)} for its steps" if names else "the workflow"
                if queue not in idle:
                    out.append(f"deployment {deployment.id} polling on {queue}: {what}")
                else:  # not refused: its workers may start later, on machines not seen here
                    out.append(
                        f"no worker polls {queue} yet ({what}; this app leaves the queue to "
                        f"standalone workers): it waits until python -m core worker "
                        f"--task-queue {queue} runs"
                    )
        self._schedule(workflow, build, deployment, report)
        with report.step("ready") as out:
            deployment = self._db.deployments.activate(deployment.id)
            previous = None
            if active is not None and active.id != deployment.id:
                previous = self._db.deployments.drain(active.id)
                out.append(f"{active.workflow_type} drains its open runs;")
            out.append(f"new runs start {deployment.workflow_type}")
        logger.info(
            "deployed %s as deployment %s",
            deployment.workflow_type,
            deployment.id,
            extra={"deployment_id": deployment.id, "workflow_type": deployment.workflow_type},
        )
        return DeployResult(
            version=version,
            deployment=deployment,
            new_version=build.existing is None,
            unchanged=False,
            previous=previous,
            steps=tuple(report.finished),
        )

    def _schedule(
        self,
        workflow: WorkflowRecord,
        build: _Build,
        deployment: DeploymentRecord,
        report: StepReporter,
    ) -> None:
        """Aim the workflow's schedule at the new deployment (or remove it), before it serves.

        Only graphs with a cron trigger, or workflows that had one, need the step. If it fails
        (Temporal refuses the cron, or cannot be reached), the deployment fails and the
        previous one keeps serving with its schedule as it was.
        """
        target = ScheduleTarget(
            workflow_name=workflow.name,
            workflow_type=deployment.workflow_type,
            task_queue=deployment.task_queue,
            cron=cron_of(build.graph),
            run_timeout=execution_timeout(
                build.graph["workflow"].get("run_timeout"),
                default=self._settings.default_run_timeout,
            ),
        )
        if target.cron is None and not self._db.schedules.find(workflow_id=workflow.id):
            return
        with report.step("schedule", "setting up the cron trigger") as out:
            try:
                message = apply_schedule(
                    self._fleet.host, self._db, workflow_id=workflow.id, target=target
                )
            except Exception as exc:  # any failure must leave the previous version serving
                self._restore(deployment, exc)
                reason = exc.reason if isinstance(exc, ScheduleError) else repr(exc)
                what = (
                    f"setting up the schedule for the start node's trigger.cron {target.cron!r}"
                    if target.cron
                    else "removing the schedule (the trigger is manual now)"
                )
                raise DeployError(
                    f"{what} failed: {reason}", workflow=workflow.name, step="schedule"
                ) from exc
            out.append(message)

    def _create_version(
        self, workflow: WorkflowRecord, build: _Build, *, rollback_of: int | None
    ) -> VersionRecord:
        try:
            return self._db.versions.create_next(
                workflow.id,
                graph=build.graph,
                graph_hash=str(build.bundle.manifest["graph_hash"]),
                bundle_hash=build.bundle.digest,
                compiler_version=str(build.bundle.manifest["compiler_version"]),
                build_options=build_options(build.children),
                expected=build.number,
                bundle_files=build.bundle.files,
                rollback_of=rollback_of,
            )
        except (DuplicateRecordError, InvalidRecordError) as exc:
            # The code carries the number it was built for; another process took it meanwhile.
            raise DeployError(
                f"another deploy created version {build.number} meanwhile ({exc}); deploy again",
                workflow=workflow.name,
                step="load",
            ) from exc

    def _restore(self, deployment: DeploymentRecord, cause: Exception) -> None:
        self._db.deployments.fail(deployment.id, error=str(cause))
        for queue in deployment.queues:
            try:
                self._fleet.apply_queue(queue)
            except Exception:  # the other queues must still be restored
                logger.exception("restoring the workers of %s failed", queue)

    def _lock(self, workflow_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(workflow_id, threading.Lock())


def behaviour_hash(document: Mapping[str, Any]) -> str:
    """Hash of a graph without node positions: moving boxes around changes no behaviour."""
    stripped = {
        **document,
        "nodes": [{k: v for k, v in node.items() if k != "position"} for node in document["nodes"]],
    }
    return hashlib.sha256(json.dumps(stripped, sort_keys=True).encode()).hexdigest()
