"""The facade deploy pages call: deploy with progress, versions, rollback, diff, export."""

from __future__ import annotations

import logging
from typing import Any

from core.activities import ActivityRegistry
from core.auth import SYSTEM, Actor, Role, action, reads
from core.compiler import Bundle
from core.config import Settings
from core.db import Database, DeploymentRecord, RecordNotFoundError, VersionRecord
from core.deploy.bundles import version_bundle
from core.deploy.diff import VersionDiff, code_diff, graph_diff
from core.deploy.errors import DeployError
from core.deploy.export import export_zip
from core.deploy.pipeline import Deployer, DeployResult, Fleet
from core.deploy.retire import retire_drained
from core.deploy.steps import ProgressCallback
from core.errors import WorkflowBuilderError
from core.metrics import DEPLOYS

logger = logging.getLogger(__name__)


class DeployService:
    """Deploys and their history for one workflow at a time.

    Args:
        database: workflows, versions and deployments.
        fleet: the worker fleet (``core.fleet.WorkerManager``).
        registry: the activities graphs may call.
        settings: ``deploy_dir``, and the task queue settings that place new versions.
    """

    actor: Actor = SYSTEM

    def __init__(
        self,
        database: Database,
        fleet: Fleet,
        registry: ActivityRegistry,
        settings: Settings,
    ) -> None:
        self._db = database
        self._fleet = fleet
        self._registry = registry
        self._settings = settings
        self._deployer = Deployer(
            database=database, fleet=fleet, registry=registry, settings=settings
        )

    @action(Role.EDITOR)
    def deploy(self, workflow_id: int, *, progress: ProgressCallback | None = None) -> DeployResult:
        """Deploy the workflow's current draft as its newest version.

        An unchanged draft (node positions aside) deploys nothing and says so
        (``result.unchanged``). Each step is reported to ``progress`` as it starts and ends.

        Raises:
            WorkflowBuilderError: see :meth:`core.deploy.pipeline.Deployer.deploy_document`;
                after any failure the previous active version keeps serving.
        """
        draft = self._db.workflows.get(workflow_id).draft_graph
        return self._counted(workflow_id, draft, progress)

    @action(Role.EDITOR)
    def rollback(
        self, workflow_id: int, version: int, *, progress: ProgressCallback | None = None
    ) -> DeployResult:
        """Make version ``version``'s graph the newest again, as a new version deployed as usual.

        The draft is left as it is.

        Raises:
            DeployError: the workflow has no such version.
            WorkflowBuilderError: as for :meth:`deploy`.
        """
        old = self._version(workflow_id, version)
        return self._counted(workflow_id, old.graph, progress, rollback_of=version)

    def _counted(
        self,
        workflow_id: int,
        document: Any,
        progress: ProgressCallback | None,
        *,
        rollback_of: int | None = None,
    ) -> DeployResult:
        """Deploy ``document``, counting the outcome in the ``wb_deploys`` metric."""
        try:
            result = self._deployer.deploy_document(
                workflow_id, document, progress=progress, rollback_of=rollback_of
            )
        except WorkflowBuilderError:
            DEPLOYS.labels(outcome="failed").inc()
            raise
        DEPLOYS.labels(outcome="unchanged" if result.unchanged else "deployed").inc()
        return result

    @reads
    def versions(self, workflow_id: int) -> list[VersionRecord]:
        """Every version of the workflow, newest first."""
        return self._db.versions.find(workflow_id)

    @reads
    def deployments(self, workflow_id: int) -> list[DeploymentRecord]:
        """Every deployment of the workflow, newest first (failed ones with their error).

        Retires drained deployments first, so the statuses shown are current (housekeeping the
        process does whoever looks, so it needs no role of its own).
        """
        retire_drained(self._db, self._fleet)
        return self._db.deployments.find(workflow_id=workflow_id)

    @reads
    def active(self, workflow_id: int) -> DeploymentRecord | None:
        """The deployment new runs go to, if any."""
        return self._db.deployments.active_for_workflow(workflow_id)

    @action(Role.EDITOR)
    def retire_drained(self) -> list[DeploymentRecord]:
        """Retire draining deployments without open runs (see ``core.deploy.retire``)."""
        return retire_drained(self._db, self._fleet)

    @reads
    def diff(self, workflow_id: int, a: int, b: int) -> VersionDiff:
        """What changed from version ``a`` to version ``b``: graph items and bundle code.

        Raises:
            DeployError: the workflow lacks one of the versions.
        """
        old, new = self._version(workflow_id, a), self._version(workflow_id, b)
        return VersionDiff(
            a=a,
            b=b,
            graph=graph_diff(old.graph, new.graph),
            code=code_diff(self.bundle(old), self.bundle(new), label_a=f"v{a}", label_b=f"v{b}"),
        )

    @reads
    def export(self, workflow_id: int, version: int) -> bytes:
        """A zip of the version's bundle with a requirements file and a README.

        Raises:
            DeployError: the workflow has no such version.
        """
        return export_zip(self.bundle(self._version(workflow_id, version)))

    @reads
    def bundle(self, version: VersionRecord) -> Bundle:
        """The version's bundle, as deployed when its files are still there."""
        return version_bundle(
            self._db,
            version,
            registry=self._registry,
            settings=self._settings,
        )

    def _version(self, workflow_id: int, number: int) -> VersionRecord:
        try:
            return self._db.versions.get(workflow_id, number)
        except RecordNotFoundError:
            name = self._db.workflows.get(workflow_id).name
            known = [v.version for v in self._db.versions.find(workflow_id)]
            raise DeployError(
                f"there is no version {number} (versions: {_numbers(known)})", workflow=name
            ) from None


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in sorted(numbers)) or "none yet"
