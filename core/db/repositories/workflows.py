"""Workflow definitions: create, look up, list, save drafts, rename, duplicate, soft delete."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db.errors import DuplicateRecordError, InvalidRecordError, RecordNotFoundError
from core.db.models import (
    DeploymentRow,
    ExecutionRow,
    ScheduleRow,
    WorkflowRow,
    WorkflowVersionRow,
)
from core.db.records import (
    DeploymentStatus,
    ExecutionStatus,
    WorkflowOverview,
    WorkflowRecord,
    WorkflowSummary,
)
from core.db.repositories._base import Repository, to_record
from core.db.types import utc_now
from core.graph.names import is_workflow_name


class WorkflowRepository(Repository):
    """Workflow definitions and their draft graphs.

    Names are unique across all workflows, soft-deleted ones included, because a deleted
    workflow's runs and Temporal types keep carrying its name.
    """

    def create(
        self,
        *,
        name: str,
        title: str = "",
        description: str = "",
        graph: Mapping[str, Any] | None = None,
        owner: str | None = None,
    ) -> WorkflowRecord:
        """Create a workflow with an optional draft graph, stored as given.

        Raises:
            InvalidRecordError: ``name`` is not a slug, or ``graph`` is not JSON-serialisable.
            DuplicateRecordError: a workflow (perhaps deleted) already has ``name``.
        """
        _check_name(name)
        row = WorkflowRow(
            name=name,
            title=title,
            description=description,
            draft_graph=_json_document(graph),
            owner=owner,
        )
        with self._writing() as session:
            _insert(session, row)
            return to_record(WorkflowRecord, row)

    def get(self, workflow_id: int, *, include_deleted: bool = False) -> WorkflowRecord:
        """The workflow with this id.

        Raises:
            RecordNotFoundError: no such workflow, or it is deleted and ``include_deleted`` is off.
        """
        with self._reading() as session:
            return to_record(WorkflowRecord, _load(session, workflow_id, include_deleted))

    def get_by_name(self, name: str, *, include_deleted: bool = False) -> WorkflowRecord:
        """The workflow with this name (slug).

        Raises:
            RecordNotFoundError: no such workflow, or it is deleted and ``include_deleted`` is off.
        """
        query = select(WorkflowRow).where(WorkflowRow.name == name)
        if not include_deleted:
            query = query.where(WorkflowRow.deleted_at.is_(None))
        with self._reading() as session:
            row = session.scalars(query).one_or_none()
            if row is None:
                raise RecordNotFoundError("workflow", name)
            return to_record(WorkflowRecord, row)

    def find(
        self, *, owner: str | None = None, include_deleted: bool = False
    ) -> list[WorkflowSummary]:
        """Workflows by name, each with its latest version and newest deployment's status."""
        latest_version = (
            select(func.max(WorkflowVersionRow.version))
            .where(WorkflowVersionRow.workflow_id == WorkflowRow.id)
            .scalar_subquery()
        )
        deployment_status = (
            select(DeploymentRow.status)
            .where(DeploymentRow.workflow_id == WorkflowRow.id)
            .order_by(DeploymentRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query: Select[Any] = select(WorkflowRow, latest_version, deployment_status).order_by(
            WorkflowRow.name
        )
        if owner is not None:
            query = query.where(WorkflowRow.owner == owner)
        if not include_deleted:
            query = query.where(WorkflowRow.deleted_at.is_(None))
        with self._reading() as session:
            return [
                to_record(WorkflowSummary, row, latest_version=version, deployment_status=status)
                for row, version, status in session.execute(query)
            ]

    def overview(self) -> list[WorkflowOverview]:
        """Every workflow not deleted, by name, with its live version, schedule and newest run:
        one query for the whole list (a page used to ask once per workflow)."""
        live = (
            select(
                DeploymentRow.workflow_id,
                WorkflowVersionRow.version,
                WorkflowVersionRow.graph,
            )
            .join(WorkflowVersionRow, WorkflowVersionRow.id == DeploymentRow.version_id)
            .where(DeploymentRow.status == DeploymentStatus.ACTIVE)
            .subquery()
        )

        def schedule(column: Any) -> Any:
            return (
                select(column)
                .where(ScheduleRow.workflow_id == WorkflowRow.id)
                .order_by(ScheduleRow.id.desc())
                .limit(1)
                .scalar_subquery()
            )

        def last_run(column: Any) -> Any:
            # Read from the (definition_id, start_time, status) index alone.
            return (
                select(column)
                .where(ExecutionRow.definition_id == WorkflowRow.id)
                .order_by(ExecutionRow.start_time.desc())
                .limit(1)
                .scalar_subquery()
            )

        query = (
            select(
                WorkflowRow,
                live.c.version,
                live.c.graph,
                schedule(ScheduleRow.cron),
                schedule(ScheduleRow.paused),
                last_run(ExecutionRow.status),
                last_run(ExecutionRow.start_time),
            )
            .outerjoin(live, live.c.workflow_id == WorkflowRow.id)
            .where(WorkflowRow.deleted_at.is_(None))
            .order_by(WorkflowRow.name, live.c.version.desc())
        )
        found: dict[int, WorkflowOverview] = {}
        with self._reading() as session:
            for (
                row,
                live_version,
                live_graph,
                cron,
                paused,
                status,
                start,
            ) in session.execute(query):
                # A deploy activates the new deployment before it drains the old one, so two
                # may be active for a moment: the newer version is the one new runs get.
                found.setdefault(
                    row.id,
                    WorkflowOverview(
                        id=row.id,
                        name=row.name,
                        title=row.title,
                        draft_graph=row.draft_graph,
                        live_version=live_version,
                        live_graph=live_graph,
                        cron=cron,
                        schedule_paused=paused,
                        last_run_status=None if status is None else ExecutionStatus(status),
                        last_run_start=start,
                    ),
                )
        return list(found.values())

    def save_draft(self, workflow_id: int, graph: Mapping[str, Any] | None) -> WorkflowRecord:
        """Replace the draft graph with ``graph`` exactly as given (drafts may be invalid graphs).

        Raises:
            RecordNotFoundError: no such workflow, or it is deleted.
            InvalidRecordError: ``graph`` is not JSON-serialisable.
        """
        document = _json_document(graph)
        with self._writing() as session:
            row = _load(session, workflow_id, include_deleted=False)
            row.draft_graph = document
            row.updated_at = utc_now()
            return to_record(WorkflowRecord, row)

    def rename(self, workflow_id: int, *, name: str, title: str | None = None) -> WorkflowRecord:
        """Give a workflow a new name (and optionally title); the draft's own name follows.

        Raises:
            RecordNotFoundError: no such workflow, or it is deleted.
            InvalidRecordError: ``name`` is not a slug.
            DuplicateRecordError: another workflow has ``name``.
        """
        _check_name(name)
        with self._writing() as session:
            row = _load(session, workflow_id, include_deleted=False)
            row.name = name
            row.draft_graph = _with_graph_name(row.draft_graph, name)
            if title is not None:
                row.title = title
            row.updated_at = utc_now()
            _flush(session, name)
            return to_record(WorkflowRecord, row)

    def duplicate(
        self, workflow_id: int, *, name: str, title: str | None = None, owner: str | None = None
    ) -> WorkflowRecord:
        """Copy a workflow's texts and draft (no versions) under a new name.

        Args:
            workflow_id: the workflow to copy.
            name: the copy's name.
            title: the copy's title; the original's when omitted.
            owner: the copy's owner; the original's when omitted.

        Raises:
            RecordNotFoundError: no such workflow, or it is deleted.
            InvalidRecordError: ``name`` is not a slug.
            DuplicateRecordError: another workflow has ``name``.
        """
        _check_name(name)
        with self._writing() as session:
            source = _load(session, workflow_id, include_deleted=False)
            row = WorkflowRow(
                name=name,
                title=source.title if title is None else title,
                description=source.description,
                draft_graph=_with_graph_name(copy.deepcopy(source.draft_graph), name),
                owner=source.owner if owner is None else owner,
            )
            _insert(session, row)
            return to_record(WorkflowRecord, row)

    def delete(self, workflow_id: int) -> None:
        """Soft-delete a workflow: it disappears from lookups and lists but keeps its rows.

        Raises:
            RecordNotFoundError: no such workflow, or it is already deleted.
        """
        with self._writing() as session:
            row = _load(session, workflow_id, include_deleted=False)
            row.deleted_at = row.updated_at = utc_now()


def _load(session: Session, workflow_id: int, include_deleted: bool) -> WorkflowRow:
    row = session.get(WorkflowRow, workflow_id)
    if row is None or (row.deleted_at is not None and not include_deleted):
        raise RecordNotFoundError("workflow", workflow_id)
    return row


def _check_name(name: str) -> None:
    # The graph format's rule: the name becomes part of Temporal type names.
    if not is_workflow_name(name):
        raise InvalidRecordError(
            "name",
            f"{name!r} is not a workflow name: use a lower-case letter, then up to 62 lower-case"
            " letters, digits or underscores",
        )


def _json_document(graph: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if graph is None:
        return None
    try:
        json.dumps(graph, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidRecordError("graph", f"cannot be stored as JSON: {error}") from error
    return dict(graph)


def _with_graph_name(graph: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    # The graph's workflow.name is the same slug as the row's name; keep the two in step.
    if graph is None or not isinstance(graph.get("workflow"), dict):
        return graph
    return {**graph, "workflow": {**graph["workflow"], "name": name}}


def _insert(session: Session, row: WorkflowRow) -> None:
    session.add(row)
    _flush(session, row.name)


def _flush(session: Session, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateRecordError(
            "workflow", name, detail="names stay taken after a workflow is deleted"
        ) from error
