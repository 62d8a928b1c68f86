"""The execution mirror: what the run monitor observes, filtered and sorted pages, counts."""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.db.errors import RecordNotFoundError
from core.db.models import ExecutionRow, RunStepRow
from core.db.records import ExecutionPage, ExecutionRecord, ExecutionStatus, RunTrigger
from core.db.repositories._base import Repository, dialect_insert, to_record

#: Longest input or result preview kept, in characters of JSON text.
PREVIEW_CHARS = 2000

# Columns an upsert always overwrites; the others keep their stored value when given None, so a
# writer that does not know the input does not erase what the start recorded.
_ALWAYS_SET = ("workflow_type", "task_queue", "status", "start_time")
_KEEP_IF_NONE = (
    "definition_id",
    "version",
    "trigger",
    "close_time",
    "history_length",
    "parent_workflow_id",
    "parent_run_id",
    "input_preview",
    "result_preview",
    "error",
    "failed_node_id",
    "failed_node_label",
)
# What can change on a run Temporal lists again; a change of these rewrites the row.
_OBSERVED_CHANGES = ("status", "close_time", "history_length")
# What a details read may fill in on a record.
_DETAIL_COLUMNS = (
    "input_preview",
    "result_preview",
    "error",
    "failed_node_id",
    "failed_node_label",
)
# Rows read or written per statement, well under SQLite's bound-parameter limit.
_BATCH = 200


def preview(value: Any) -> str | None:
    """``value`` as JSON text of at most :data:`PREVIEW_CHARS` characters (``…`` when cut)."""
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


class ExecutionSort(enum.StrEnum):
    """Columns the runs list can be sorted by."""

    START_TIME = "start_time"
    CLOSE_TIME = "close_time"
    WORKFLOW_ID = "workflow_id"
    STATUS = "status"
    HISTORY_LENGTH = "history_length"


@dataclass(frozen=True)
class ExecutionFilter:
    """Console filters over executions; ``None`` means "any".

    ``search`` matches a workflow id prefix or an exact run id.
    """

    statuses: tuple[ExecutionStatus, ...] | None = None
    workflow_type: str | None = None
    definition_id: int | None = None
    version: int | None = None
    triggers: tuple[RunTrigger, ...] | None = None
    task_queue: str | None = None
    workflow_id_prefix: str | None = None
    search: str | None = None
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
        if self.version is not None:
            checks.append(row.version == self.version)
        if self.triggers is not None:
            checks.append(row.trigger.in_(self.triggers))
        if self.task_queue is not None:
            checks.append(row.task_queue == self.task_queue)
        if self.workflow_id_prefix:
            checks.append(_prefix(row.workflow_id, self.workflow_id_prefix))
        if self.search:
            text = self.search.strip()
            checks.append(or_(_prefix(row.workflow_id, text), row.run_id == text))
        if self.started_after is not None:
            checks.append(row.start_time >= self.started_after)
        if self.started_before is not None:
            checks.append(row.start_time < self.started_before)
        return checks


def _prefix(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    # A range rather than LIKE: both databases then use the index, and % or _ in the prefix
    # are plain characters. U+10FFFF sorts after any character an id can hold.
    return (column >= prefix) & (column < prefix + "\U0010ffff")


@dataclass(frozen=True)
class ObservedRun:
    """One run as Temporal's list API reports it, with what the monitor worked out about it."""

    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str
    status: ExecutionStatus
    start_time: datetime
    close_time: datetime | None
    history_length: int | None
    trigger: RunTrigger
    parent_workflow_id: str | None = None
    parent_run_id: str | None = None
    definition_id: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class StepFigures:
    """What one step of a run did: how often it began, its activity calls and attempts, time.

    ``seconds`` is the time its calls took from scheduled to closed (None without calls).
    """

    node_id: str
    visits: int
    calls: int
    attempts: int
    failed: bool
    seconds: float | None = None


@dataclass(frozen=True)
class RunDetails:
    """What a run's history adds to its record: previews, failure, the step it failed at, and
    per-step figures."""

    input_preview: str | None = None
    result_preview: str | None = None
    error: str | None = None
    failed_node_id: str | None = None
    failed_node_label: str | None = None
    steps: tuple[StepFigures, ...] = ()


@functools.cache
def _upsert_statement(dialect: str) -> Executable:
    """``INSERT ... ON CONFLICT (workflow_id, run_id) DO UPDATE`` of a run's row, built once per
    dialect: the values come as parameters, so SQLAlchemy reuses the compiled statement rather
    than building and keying a new one for every write (two thirds of an upsert's time)."""
    insert = dialect_insert(dialect, ExecutionRow)
    table = ExecutionRow.__table__.c
    updates: dict[str, ColumnElement[Any]] = {name: insert.excluded[name] for name in _ALWAYS_SET}
    updates |= {name: func.coalesce(insert.excluded[name], table[name]) for name in _KEEP_IF_NONE}
    return insert.on_conflict_do_update(index_elements=["workflow_id", "run_id"], set_=updates)


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
        **known: Any,
    ) -> None:
        """Insert or update the run ``(workflow_id, run_id)``; repeating it changes nothing.

        Status, type, queue and start time are always written; the other columns
        (``definition_id``, ``version``, ``trigger``, ``close_time``, previews, ``error``, ...)
        only when given and not None, so partial updates keep what is already known.
        """
        unknown = set(known) - set(_KEEP_IF_NONE)
        if unknown:
            raise TypeError(f"not execution columns: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {
            "workflow_id": workflow_id,
            "run_id": run_id,
            "workflow_type": workflow_type,
            "task_queue": task_queue,
            "status": status,
            "start_time": start_time,
        } | {name: known.get(name) for name in _KEEP_IF_NONE}
        with self._statement() as connection:
            connection.execute(_upsert_statement(connection.dialect.name), values)

    def record_observed(self, runs: Sequence[ObservedRun]) -> list[ObservedRun]:
        """Bring the records of ``runs`` up to date; return the runs that were new or changed.

        A run seen again unchanged costs one read; a run that closed since it was last
        written is marked for a details read (:meth:`needing_details`). Trigger, workflow and
        version, once known, are kept.
        """
        changed: list[ObservedRun] = []
        for start in range(0, len(runs), _BATCH):
            batch = runs[start : start + _BATCH]
            with self._writing() as session:
                changed += _write_observed(session, batch)
        return changed

    def record_details(self, workflow_id: str, run_id: str, details: RunDetails) -> None:
        """Store what the run's history says and mark its details read.

        Fields left None keep what is stored; the steps replace any stored before.

        Raises:
            RecordNotFoundError: the run is not in the database.
        """
        self.get(workflow_id, run_id)  # raises RecordNotFoundError
        self.record_details_of([(workflow_id, run_id, details)])

    def record_details_of(self, found: Sequence[tuple[str, str, RunDetails]]) -> None:
        """:meth:`record_details` of many runs ``(workflow_id, run_id, details)`` in one
        transaction of a few bulk statements; runs no longer in the database (purged
        meanwhile) are passed over."""
        if not found:
            return
        with self._writing() as session:
            keys = [(workflow_id, run_id) for workflow_id, run_id, _ in found]
            found_ids = session.execute(
                select(ExecutionRow.workflow_id, ExecutionRow.run_id, ExecutionRow.id).where(
                    tuple_(ExecutionRow.workflow_id, ExecutionRow.run_id).in_(keys)
                )
            )
            ids = {(workflow_id, run_id): row_id for workflow_id, run_id, row_id in found_ids}
            rows = [(ids[(w, r)], details) for w, r, details in found if (w, r) in ids]
            if not rows:
                return
            session.execute(
                delete(RunStepRow).where(RunStepRow.execution_id.in_([i for i, _ in rows]))
            )
            # Bulk UPDATE by primary key: one executemany, each row setting only what it knows.
            for group in _by_known_columns(rows).values():
                session.execute(update(ExecutionRow), group)
            steps = [
                {"execution_id": execution_id, **asdict(step)}
                for execution_id, details in rows
                for step in details.steps
            ]
            if steps:
                session.execute(insert(RunStepRow), steps)

    def needing_details(self, *, limit: int) -> list[ExecutionRecord]:
        """Closed runs whose details were not read yet, most recently closed first."""
        query = (
            select(ExecutionRow)
            .where(ExecutionRow.details_synced.is_(False), ExecutionRow.status != "running")
            .order_by(ExecutionRow.close_time.desc())
            .limit(limit)
        )
        with self._reading() as session:
            return [to_record(ExecutionRecord, row) for row in session.scalars(query)]

    def running(self) -> list[ExecutionRecord]:
        """Every run the database has as running."""
        query = select(ExecutionRow).where(ExecutionRow.status == ExecutionStatus.RUNNING)
        with self._reading() as session:
            return [to_record(ExecutionRecord, row) for row in session.scalars(query)]

    def purge(self, *, closed_before: datetime) -> int:
        """Delete the records of runs that closed before ``closed_before``; return how many."""
        with self._writing() as session:
            result = session.execute(
                delete(ExecutionRow).where(ExecutionRow.close_time < closed_before)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def purge_workflows(self, definition_ids: Sequence[int]) -> int:
        """Delete every record of these workflows' runs (their step figures go with them);
        return how many."""
        if not definition_ids:
            return 0
        with self._writing() as session:
            result = session.execute(
                delete(ExecutionRow).where(ExecutionRow.definition_id.in_(list(definition_ids)))
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def get(self, workflow_id: str, run_id: str) -> ExecutionRecord:
        """One run.

        Raises:
            RecordNotFoundError: the run is not in the database.
        """
        with self._reading() as session:
            return to_record(ExecutionRecord, _select_one(session, workflow_id, run_id))

    def latest(self, workflow_id: str) -> ExecutionRecord:
        """The newest run of a Temporal workflow id (the one a bare id refers to).

        Raises:
            RecordNotFoundError: no run of that workflow id is in the database.
        """
        query = (
            select(ExecutionRow)
            .where(ExecutionRow.workflow_id == workflow_id)
            .order_by(ExecutionRow.start_time.desc(), ExecutionRow.id.desc())
            .limit(1)
        )
        with self._reading() as session:
            row = session.scalars(query).one_or_none()
            if row is None:
                raise RecordNotFoundError("execution", workflow_id)
            return to_record(ExecutionRecord, row)

    def find(
        self,
        filters: ExecutionFilter = ExecutionFilter(),
        *,
        limit: int = 50,
        offset: int = 0,
        sort: ExecutionSort = ExecutionSort.START_TIME,
        descending: bool = True,
        count: bool = True,
    ) -> ExecutionPage:
        """A page of runs matching ``filters`` in ``sort`` order, with the total count.

        Args:
            count: also count every match (``total``); False leaves it at -1 for callers
                that only need the rows.
        """
        conditions = filters.conditions()
        column = getattr(ExecutionRow, ExecutionSort(sort).value)
        order = [column.desc() if descending else column.asc()]
        if column is not ExecutionRow.start_time:
            order.append(ExecutionRow.start_time.desc())
        order.append(ExecutionRow.id.desc())
        query = select(ExecutionRow).where(*conditions).order_by(*order).limit(limit).offset(offset)
        with self._reading() as session:
            total = (
                session.scalar(select(func.count()).select_from(ExecutionRow).where(*conditions))
                if count
                else -1
            )
            items = tuple(to_record(ExecutionRecord, row) for row in session.scalars(query))
        return ExecutionPage(items=items, total=total or 0, limit=limit, offset=offset)

    def keys(self, filters: ExecutionFilter, *, limit: int) -> list[tuple[str, str]]:
        """``(workflow_id, run_id)`` of up to ``limit`` runs matching ``filters``, newest first."""
        query = (
            select(ExecutionRow.workflow_id, ExecutionRow.run_id)
            .where(*filters.conditions())
            .order_by(ExecutionRow.start_time.desc(), ExecutionRow.id.desc())
            .limit(limit)
        )
        with self._reading() as session:
            return [(workflow_id, run_id) for workflow_id, run_id in session.execute(query)]

    def children_of(self, workflow_id: str, run_id: str) -> list[ExecutionRecord]:
        """The child runs a run started, oldest first."""
        query = (
            select(ExecutionRow)
            .where(
                ExecutionRow.parent_workflow_id == workflow_id,
                ExecutionRow.parent_run_id == run_id,
            )
            .order_by(ExecutionRow.start_time)
        )
        with self._reading() as session:
            return [to_record(ExecutionRecord, row) for row in session.scalars(query)]

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


def _write_observed(session: Session, batch: Sequence[ObservedRun]) -> list[ObservedRun]:
    keys = [(run.workflow_id, run.run_id) for run in batch]
    stored = {
        (row.workflow_id, row.run_id): row
        for row in session.scalars(
            select(ExecutionRow).where(
                tuple_(ExecutionRow.workflow_id, ExecutionRow.run_id).in_(keys)
            )
        )
    }
    changed = []
    for run in batch:
        row = stored.get((run.workflow_id, run.run_id))
        if row is None:
            row = ExecutionRow(
                workflow_id=run.workflow_id,
                run_id=run.run_id,
                details_synced=False,
            )
            session.add(row)
        elif all(getattr(row, name) == getattr(run, name) for name in _OBSERVED_CHANGES):
            continue
        elif row.status != run.status:
            row.details_synced = False  # closed since: its result or failure is to be read
        row.workflow_type = run.workflow_type
        row.task_queue = run.task_queue
        row.status = run.status
        row.start_time = run.start_time
        row.close_time = run.close_time
        row.history_length = run.history_length
        for name in ("trigger", "parent_workflow_id", "parent_run_id", "definition_id", "version"):
            if getattr(row, name) is None:
                setattr(row, name, getattr(run, name))
        changed.append(run)
    return changed


def _by_known_columns(
    rows: Sequence[tuple[int, RunDetails]],
) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """Update parameter sets grouped by which columns they set (an executemany needs one shape)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for execution_id, details in rows:
        known = {n: getattr(details, n) for n in _DETAIL_COLUMNS if getattr(details, n) is not None}
        groups.setdefault(tuple(known), []).append(
            {"id": execution_id, "details_synced": True, **known}
        )
    return groups


def _select_one(session: Session, workflow_id: str, run_id: str) -> ExecutionRow:
    row = session.scalars(
        select(ExecutionRow).where(
            ExecutionRow.workflow_id == workflow_id, ExecutionRow.run_id == run_id
        )
    ).one_or_none()
    if row is None:
        raise RecordNotFoundError("execution", f"{workflow_id}/{run_id}")
    return row
