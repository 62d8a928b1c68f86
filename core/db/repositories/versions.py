"""Immutable workflow versions, numbered 1, 2, 3, ... per workflow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from core.db.errors import (
    DatabaseError,
    DuplicateRecordError,
    InvalidRecordError,
    RecordNotFoundError,
)
from core.db.models import VersionBundleRow, WorkflowRow, WorkflowVersionRow
from core.db.records import VersionRecord
from core.db.repositories._base import Repository, to_record


class VersionRepository(Repository):
    """Frozen graph snapshots; a version is never changed once written."""

    def create_next(
        self,
        workflow_id: int,
        *,
        graph: Mapping[str, Any],
        graph_hash: str,
        bundle_hash: str,
        compiler_version: str,
        build_options: Mapping[str, Any] | None = None,
        expected: int | None = None,
        bundle_files: Mapping[str, str] | None = None,
        rollback_of: int | None = None,
    ) -> VersionRecord:
        """Freeze ``graph`` as the workflow's next version (highest so far plus one).

        Two deploys at the same time get distinct numbers: the workflow row is locked
        (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) while the next
        number is read and written, and ``(workflow_id, version)`` is unique besides.

        Args:
            workflow_id: the workflow.
            graph: the graph document to freeze.
            graph_hash: the compiler's hash of the graph.
            bundle_hash: the digest of the bundle built from it.
            compiler_version: the compiler that built it.
            build_options: what the build used besides the graph (JSON; default ``{}``).
            expected: the number the caller built the bundle for (its code carries it);
                nothing is written unless the next number is this one.
            bundle_files: the bundle's files, kept with the version (see :meth:`bundle_files`).
            rollback_of: the version whose graph a rollback deploys again as this one.

        Raises:
            RecordNotFoundError: no such workflow, or it is deleted.
            DuplicateRecordError: ``expected`` is taken (another writer created it first).
            InvalidRecordError: ``expected`` is beyond the next number.
        """
        with self._writing() as session:
            workflow = session.scalars(
                select(WorkflowRow)
                .where(WorkflowRow.id == workflow_id, WorkflowRow.deleted_at.is_(None))
                .with_for_update()
            ).one_or_none()
            if workflow is None:
                raise RecordNotFoundError("workflow", workflow_id)
            latest = session.scalar(
                select(func.max(WorkflowVersionRow.version)).where(
                    WorkflowVersionRow.workflow_id == workflow_id
                )
            )
            number = (latest or 0) + 1
            if expected is not None and expected != number:
                raise _unexpected(workflow_id, expected=expected, number=number)
            row = WorkflowVersionRow(
                workflow_id=workflow_id,
                version=number,
                graph=dict(graph),
                graph_hash=graph_hash,
                bundle_hash=bundle_hash,
                compiler_version=compiler_version,
                build_options=dict(build_options or {}),
                rollback_of=rollback_of,
            )
            session.add(row)
            session.flush()
            if bundle_files is not None:
                session.add(VersionBundleRow(version_id=row.id, files=dict(bundle_files)))
            return to_record(VersionRecord, row)

    def bundle_files(self, version_id: int) -> dict[str, str] | None:
        """The files the version was deployed with; None for versions created before they were
        kept (migration 0010)."""
        with self._reading() as session:
            row = session.get(VersionBundleRow, version_id)
            return dict(row.files) if row is not None else None

    def get(self, workflow_id: int, version: int) -> VersionRecord:
        """Version number ``version`` of a workflow.

        Raises:
            RecordNotFoundError: the workflow has no such version.
        """
        with self._reading() as session:
            row = session.scalars(
                select(WorkflowVersionRow).where(
                    WorkflowVersionRow.workflow_id == workflow_id,
                    WorkflowVersionRow.version == version,
                )
            ).one_or_none()
            if row is None:
                raise RecordNotFoundError("workflow version", f"{workflow_id} v{version}")
            return to_record(VersionRecord, row)

    def get_by_id(self, version_id: int) -> VersionRecord:
        """A version by its own id (as deployments refer to it).

        Raises:
            RecordNotFoundError: no version has this id.
        """
        with self._reading() as session:
            row = session.get(WorkflowVersionRow, version_id)
            if row is None:
                raise RecordNotFoundError("workflow version", version_id)
            return to_record(VersionRecord, row)

    def latest(self, workflow_id: int) -> VersionRecord | None:
        """The highest-numbered version of a workflow, or None before its first deploy."""
        with self._reading() as session:
            row = session.scalars(
                select(WorkflowVersionRow)
                .where(WorkflowVersionRow.workflow_id == workflow_id)
                .order_by(WorkflowVersionRow.version.desc())
                .limit(1)
            ).one_or_none()
            return None if row is None else to_record(VersionRecord, row)

    def find(self, workflow_id: int) -> list[VersionRecord]:
        """All versions of a workflow, newest first."""
        with self._reading() as session:
            rows = session.scalars(
                select(WorkflowVersionRow)
                .where(WorkflowVersionRow.workflow_id == workflow_id)
                .order_by(WorkflowVersionRow.version.desc())
            )
            return [to_record(VersionRecord, row) for row in rows]


def _unexpected(workflow_id: int, *, expected: int, number: int) -> DatabaseError:
    if expected < number:
        return DuplicateRecordError(
            "workflow version",
            f"{workflow_id} v{expected}",
            detail=f"another writer created it first; the next number is {number}",
        )
    return InvalidRecordError(
        "version", f"expected to create version {expected}, but the next number is {number}"
    )
