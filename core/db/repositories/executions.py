"""The execution mirror: upserts from the reconciler, filtered pages and status counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.db.errors import RecordNotFoundError
from core.db.models import ExecutionRow
from core.db.records import ExecutionPage, ExecutionRecord, ExecutionStatus
from core.db.repositories._base import Repository, dialect_insert, to_record

# Columns an upsert always overwrites; the others keep their stored value when given None, so a
# reconciler that does not know the input does not erase what the start recorded.
_ALWAYS_SET = ("workflow_type", "task_queue", "status", "start_time")
_KEEP_IF_NONE = ("definition_id", "version", "input", "output", "error", "close_time")


@dataclass(frozen=True)
class ExecutionFilter:
    """Console filters over executions; ``None`` means "any"."""

    statuses: tuple[ExecutionStatus, ...] | None = None
    workflow_type: str | None = None
    definition_id: int | None = None
    task_queue: str | None = None
    workflow_id_prefix: str | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions for the filters that are set."""
        row = ExecutionRow
        checks: list[ColumnElement[bool]] = []
        if self.statuses is not None:
            checks.append(row.status.in_(self.statuses))
        if self.workflow_type is not None:
            checks.append(row.workflow_type == self.workflow_type)
        if self.definition_id is not None:
            checks.append(row.definition_id == self.definition_id)
        if self.task_queue is not None:
            checks.append(row.task_queue == self.task_queue)
        if self.workflow_id_prefix:
            checks.append(row.workflow_id.startswith(self.workflow_id_prefix, autoescape=True))
        if self.started_after is not None:
            checks.append(row.start_time >= self.started_after)
        if self.started_before is not None:
            checks.append(row.start_time < self.started_before)
        return checks


class ExecutionRepository(Repository):
    """Temporal runs as the console lists them; Temporal stays the source of truth."""

    def upsert(
        self,
        *,
        workflow_id: str,
        run_id: str,
        workflow_type: str,
        task_queue: str,
        status: ExecutionStatus,
        start_time: datetime,
        definition_id: int | None = None,
        version: int | None = None,
        input: Any = None,
        output: Any = None,
        error: str | None = None,
        close_time: datetime | None = None,
    ) -> ExecutionRecord:
        """Insert or update the run ``(workflow_id, run_id)``; repeating it changes nothing.

        Status, type, queue and start time are always written; the other fields are only
        written when not None, so partial updates keep what is already known.
        """
        values: dict[str, Any] = {
            "workflow_id": workflow_id,
            "run_id": run_id,
            "workflow_type": workflow_type,
            "task_queue": task_queue,
            "status": status,
            "start_time": start_time,
            "definition_id": definition_id,
            "version": version,
            "input": input,
            "output": output,
            "error": error,
            "close_time": close_time,
        }
        with self._writing() as session:
            insert = dialect_insert(session, ExecutionRow).values(values)
            table = ExecutionRow.__table__.c
            updates: dict[str, ColumnElement[Any]] = {
                name: insert.excluded[name] for name in _ALWAYS_SET
            }
            updates |= {
                name: func.coalesce(insert.excluded[name], table[name]) for name in _KEEP_IF_NONE
            }
            session.execute(
                insert.on_conflict_do_update(index_elements=["workflow_id", "run_id"], set_=updates)
            )
            row = _select_one(session, workflow_id, run_id)
            return to_record(ExecutionRecord, row)

    def get(self, workflow_id: str, run_id: str) -> ExecutionRecord:
        """One run.

        Raises:
            RecordNotFoundError: the run is not in the database.
        """
        with self._reading() as session:
            return to_record(ExecutionRecord, _select_one(session, workflow_id, run_id))

    def find(
        self, filters: ExecutionFilter = ExecutionFilter(), *, limit: int = 50, offset: int = 0
    ) -> ExecutionPage:
        """A page of runs matching ``filters``, newest start first, with the total count."""
        conditions = filters.conditions()
        query = (
            select(ExecutionRow)
            .where(*conditions)
            .order_by(ExecutionRow.start_time.desc(), ExecutionRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._reading() as session:
            total = session.scalar(
                select(func.count()).select_from(ExecutionRow).where(*conditions)
            )
            items = tuple(to_record(ExecutionRecord, row) for row in session.scalars(query))
        return ExecutionPage(items=items, total=total or 0, limit=limit, offset=offset)

    def count_by_status(
        self, filters: ExecutionFilter = ExecutionFilter()
    ) -> dict[ExecutionStatus, int]:
        """How many runs matching ``filters`` are in each status (zero counts left out)."""
        query = (
            select(ExecutionRow.status, func.count())
            .where(*filters.conditions())
            .group_by(ExecutionRow.status)
        )
        with self._reading() as session:
            return {ExecutionStatus(status): count for status, count in session.execute(query)}


def _select_one(session: Session, workflow_id: str, run_id: str) -> ExecutionRow:
    row = session.scalars(
        select(ExecutionRow).where(
            ExecutionRow.workflow_id == workflow_id, ExecutionRow.run_id == run_id
        )
    ).one_or_none()
    if row is None:
        raise RecordNotFoundError("execution", f"{workflow_id}/{run_id}")
    return row
