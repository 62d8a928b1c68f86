"""Deployments: a workflow version loaded on a task queue, from pending to retired."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from core.db.errors import RecordNotFoundError
from core.db.models import DeploymentRow, WorkflowVersionRow
from core.db.records import DeploymentRecord, DeploymentStatus
from core.db.repositories._base import Repository, check_transition, to_record
from core.db.types import utc_now

D = DeploymentStatus
# pending -> active -> draining (older version with open runs) -> retired; any live one can fail.
DEPLOYMENT_TRANSITIONS: Mapping[DeploymentStatus, frozenset[DeploymentStatus]] = {
    D.PENDING: frozenset({D.ACTIVE, D.FAILED}),
    D.ACTIVE: frozenset({D.DRAINING, D.RETIRED, D.FAILED}),
    D.DRAINING: frozenset({D.RETIRED, D.FAILED}),
    D.RETIRED: frozenset(),
    D.FAILED: frozenset(),
}
# Both must stay loaded on workers: draining versions still have open runs to replay.
LOADED_STATUSES = (D.ACTIVE, D.DRAINING)
# Read on every run start, so built once, with the workflow as a parameter.
_ACTIVE_FOR_WORKFLOW = (
    select(DeploymentRow.__table__)
    .where(DeploymentRow.workflow_id == bindparam("workflow_id"), DeploymentRow.status == D.ACTIVE)
    .order_by(DeploymentRow.id.desc())
    .limit(1)
)


@dataclass(frozen=True)
class DeployedType:
    """A deployed Temporal workflow type: where it runs and which workflow version it is."""

    workflow_type: str
    task_queue: str
    workflow_id: int
    version: int


class DeploymentRepository(Repository):
    """Deployment records and their status life cycle (see ``DEPLOYMENT_TRANSITIONS``).

    The status-changing methods raise ``RecordNotFoundError`` for an unknown id and
    ``InvalidTransitionError`` for a move the life cycle does not allow.
    """

    def create(
        self,
        *,
        workflow_id: int,
        version_id: int,
        task_queue: str,
        workflow_type: str,
        bundle_dir: str,
        owner: str | None = None,
        step_queues: Mapping[str, Iterable[str]] | None = None,
    ) -> DeploymentRecord:
        """Record a new deployment as ``pending`` (``owner``: the deploying process;
        ``step_queues``: other queues its steps run activities on, with those activities)."""
        row = DeploymentRow(
            workflow_id=workflow_id,
            version_id=version_id,
            task_queue=task_queue,
            workflow_type=workflow_type,
            bundle_dir=bundle_dir,
            status=D.PENDING,
            owner=owner,
            step_queues={q: sorted(names) for q, names in sorted((step_queues or {}).items())},
        )
        with self._writing() as session:
            session.add(row)
            session.flush()
            return to_record(DeploymentRecord, row)

    def move_bundles(self, old_root: str, new_root: str) -> int:
        """Point deployments whose bundle folder is under ``old_root`` to the same folder under
        ``new_root`` (a restore into another deploy folder); returns how many moved."""
        prefix = old_root.rstrip("/") + "/"
        with self._writing() as session:
            rows = session.scalars(
                select(DeploymentRow).where(
                    DeploymentRow.bundle_dir.startswith(prefix, autoescape=True)
                )
            ).all()
            for row in rows:
                row.bundle_dir = new_root.rstrip("/") + "/" + row.bundle_dir[len(prefix) :]
            return len(rows)

    def get(self, deployment_id: int) -> DeploymentRecord:
        """A deployment by id.

        Raises:
            RecordNotFoundError: no such deployment.
        """
        with self._reading() as session:
            row = session.get(DeploymentRow, deployment_id)
            if row is None:
                raise RecordNotFoundError("deployment", deployment_id)
            return to_record(DeploymentRecord, row)

    def activate(self, deployment_id: int) -> DeploymentRecord:
        """Mark a pending deployment active (its workers are polling)."""
        return self._move(deployment_id, D.ACTIVE)

    def fail(self, deployment_id: int, *, error: str) -> DeploymentRecord:
        """Mark a deployment failed with the reason."""
        return self._move(deployment_id, D.FAILED, error=error)

    def drain(self, deployment_id: int) -> DeploymentRecord:
        """Mark an active deployment draining: no new runs, kept loaded for its open runs."""
        return self._move(deployment_id, D.DRAINING)

    def retire(self, deployment_id: int) -> DeploymentRecord:
        """Mark a deployment retired: it no longer needs to be loaded."""
        return self._move(deployment_id, D.RETIRED)

    def active_for_workflow(self, workflow_id: int) -> DeploymentRecord | None:
        """The newest active deployment of a workflow (where new runs go), if any."""
        with self._statement() as connection:
            found = connection.execute(_ACTIVE_FOR_WORKFLOW, {"workflow_id": workflow_id})
            row = found.mappings().first()
        return None if row is None else DeploymentRecord(**row)

    def active_for_queue(self, task_queue: str) -> list[DeploymentRecord]:
        """Deployments a worker on ``task_queue`` must load: active and draining, newest first."""
        return self.find(task_queue=task_queue, statuses=LOADED_STATUSES)

    def find_by_type(self, workflow_type: str) -> DeploymentRecord | None:
        """The newest deployment of a Temporal workflow type that did not fail, if any."""
        query = (
            select(DeploymentRow)
            .where(
                DeploymentRow.workflow_type == workflow_type,
                DeploymentRow.status != DeploymentStatus.FAILED,
            )
            .order_by(DeploymentRow.id.desc())
            .limit(1)
        )
        with self._reading() as session:
            row = session.scalars(query).one_or_none()
            return None if row is None else to_record(DeploymentRecord, row)

    def deployed_types(self) -> list[DeployedType]:
        """Every workflow type ever deployed (failed deploys left out), with its version."""
        query = (
            select(
                DeploymentRow.workflow_type,
                DeploymentRow.task_queue,
                DeploymentRow.workflow_id,
                WorkflowVersionRow.version,
            )
            .join(WorkflowVersionRow, WorkflowVersionRow.id == DeploymentRow.version_id)
            .where(DeploymentRow.status != DeploymentStatus.FAILED)
            .order_by(DeploymentRow.id)
        )
        with self._reading() as session:
            return [DeployedType(*row) for row in session.execute(query)]

    def find(
        self,
        *,
        workflow_id: int | None = None,
        task_queue: str | None = None,
        statuses: Iterable[DeploymentStatus] | None = None,
    ) -> list[DeploymentRecord]:
        """Deployments matching every filter given, newest first."""
        query = select(DeploymentRow).order_by(DeploymentRow.id.desc())
        if workflow_id is not None:
            query = query.where(DeploymentRow.workflow_id == workflow_id)
        if task_queue is not None:
            query = query.where(DeploymentRow.task_queue == task_queue)
        if statuses is not None:
            query = query.where(DeploymentRow.status.in_(list(statuses)))
        with self._reading() as session:
            return [to_record(DeploymentRecord, row) for row in session.scalars(query)]

    def _move(
        self, deployment_id: int, status: DeploymentStatus, *, error: str | None = None
    ) -> DeploymentRecord:
        # Raises RecordNotFoundError or InvalidTransitionError (see DEPLOYMENT_TRANSITIONS).
        with self._writing() as session:
            row = session.get(DeploymentRow, deployment_id, with_for_update=True)
            if row is None:
                raise RecordNotFoundError("deployment", deployment_id)
            check_transition(
                kind="deployment",
                key=deployment_id,
                current=row.status,
                target=status,
                transitions=DEPLOYMENT_TRANSITIONS,
            )
            row.status = status
            if status is D.ACTIVE:
                row.activated_at = utc_now()
            elif status is D.RETIRED:
                row.retired_at = utc_now()
            elif status is D.FAILED:
                row.error = error
            return to_record(DeploymentRecord, row)
