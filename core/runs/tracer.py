"""Traces of runs of managed workflows: the version's graph and code found by workflow type."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from temporalio.client import WorkflowHistory

from core.activities import ActivityRegistry
from core.db import Database, DeploymentRecord, VersionRecord
from core.errors import WorkflowBuilderError
from core.fleet.code import load_deployment
from core.graph import Graph, graph_from_dict
from core.runs.replay import Trail, replay_trail
from core.runs.trace import RunTrace, build_trace
from core.runtime import BundleStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VersionOfType:
    """The workflow version a Temporal workflow type belongs to."""

    deployment: DeploymentRecord
    version: VersionRecord
    graph: Graph


class RunTracer:
    """Builds :class:`RunTrace` values, loading each version's code once per process.

    Args:
        database: where deployments and versions are.
        store: the bundle store the code is imported from (the deploy folder).
        registry: activities, for rebuilding a bundle that is not on this machine's disk.
    """

    def __init__(self, database: Database, store: BundleStore, registry: ActivityRegistry) -> None:
        self._db = database
        self._store = store
        self._registry = registry
        self._classes: dict[int, type | None] = {}
        self._lock = threading.Lock()

    def version_of(self, workflow_type: str) -> VersionOfType | None:
        """The deployment, version and graph behind ``workflow_type``; None if not ours."""
        deployment = self._db.deployments.find_by_type(workflow_type)
        if deployment is None:
            return None
        version = self._db.versions.get_by_id(deployment.version_id)
        try:
            graph = graph_from_dict(version.graph)
        except WorkflowBuilderError as error:  # a stored graph an older release accepted
            logger.warning("version %s of %s: %s", version.version, workflow_type, error)
            return None
        return VersionOfType(deployment, version, graph)

    async def trace(
        self, history: WorkflowHistory, workflow_type: str, *, exact: bool = True
    ) -> RunTrace:
        """Lay ``history`` over the graph of the version that made it (see core.runs.trace).

        Args:
            exact: replay the version's code to place every step; False places steps by
                their labels only, without running any workflow code (cheaper).
        """
        found = self.version_of(workflow_type)
        if found is None:
            return build_trace(history.events, None, None)
        workflow_class = self._workflow_class(found.deployment) if exact else None
        trail: Trail | None = None
        if workflow_class is not None:
            trail = await replay_trail(workflow_class, history)
        return build_trace(history.events, found.graph, trail)

    def _workflow_class(self, deployment: DeploymentRecord) -> type | None:
        with self._lock:
            if deployment.id not in self._classes:
                try:
                    loaded = load_deployment(
                        self._db, deployment, store=self._store, registry=self._registry
                    )
                    self._classes[deployment.id] = loaded.workflow_class
                except WorkflowBuilderError as error:
                    # Traces then match labels only; the run page says they are approximate.
                    logger.warning(
                        "cannot load the code of %s: %s", deployment.workflow_type, error
                    )
                    self._classes[deployment.id] = None
            return self._classes[deployment.id]
