"""Cron schedules of workflows: create, read, change, pause, delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db.errors import DuplicateRecordError, RecordNotFoundError
from core.db.models import ScheduleRow
from core.db.records import ScheduleRecord
from core.db.repositories._base import Repository, to_record


class ScheduleRepository(Repository):
    """Schedules as the app records them (Temporal holds the live schedule under the same id)."""

    def create(
        self,
        *,
        schedule_id: str,
        workflow_id: int,
        cron: str,
        input: Any = None,
        paused: bool = False,
    ) -> ScheduleRecord:
        """Record a schedule.

        Raises:
            DuplicateRecordError: ``schedule_id`` is taken.
        """
        row = ScheduleRow(
            schedule_id=schedule_id, workflow_id=workflow_id, cron=cron, input=input, paused=paused
        )
        with self._writing() as session:
            session.add(row)
            try:
                session.flush()
            except IntegrityError as error:
                raise DuplicateRecordError("schedule", schedule_id) from error
            return to_record(ScheduleRecord, row)

    def get(self, schedule_id: str) -> ScheduleRecord:
        """A schedule by id.

        Raises:
            RecordNotFoundError: no such schedule.
        """
        with self._reading() as session:
            return to_record(ScheduleRecord, _load(session, schedule_id))

    def find(self, *, workflow_id: int | None = None) -> list[ScheduleRecord]:
        """Schedules by id, optionally only a workflow's."""
        query = select(ScheduleRow).order_by(ScheduleRow.schedule_id)
        if workflow_id is not None:
            query = query.where(ScheduleRow.workflow_id == workflow_id)
        with self._reading() as session:
            return [to_record(ScheduleRecord, row) for row in session.scalars(query)]

    def update(self, schedule_id: str, *, cron: str, input: Any) -> ScheduleRecord:
        """Replace a schedule's cron expression and run input.

        Raises:
            RecordNotFoundError: no such schedule.
        """
        with self._writing() as session:
            row = _load(session, schedule_id)
            row.cron = cron
            row.input = input
            return to_record(ScheduleRecord, row)

    def set_paused(self, schedule_id: str, paused: bool) -> ScheduleRecord:
        """Pause or resume a schedule.

        Raises:
            RecordNotFoundError: no such schedule.
        """
        with self._writing() as session:
            row = _load(session, schedule_id)
            row.paused = paused
            return to_record(ScheduleRecord, row)

    def delete(self, schedule_id: str) -> None:
        """Remove a schedule.

        Raises:
            RecordNotFoundError: no such schedule.
        """
        with self._writing() as session:
            session.delete(_load(session, schedule_id))


def _load(session: Session, schedule_id: str) -> ScheduleRow:
    row = session.scalars(
        select(ScheduleRow).where(ScheduleRow.schedule_id == schedule_id)
    ).one_or_none()
    if row is None:
        raise RecordNotFoundError("schedule", schedule_id)
    return row
