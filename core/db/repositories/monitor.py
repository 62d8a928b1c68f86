"""The run monitor's single row: a lease so one process mirrors runs, and its watermarks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db.models import RunMonitorRow
from core.db.records import MonitorState
from core.db.repositories._base import Repository, to_record
from core.db.types import utc_now


class MonitorRepository(Repository):
    """Lease and progress of the run monitor, named so other monitors could share the table."""

    def acquire(self, name: str, holder: str, *, ttl: timedelta) -> bool:
        """Take or renew the lease ``name`` for ``holder``; False while another holds it.

        The lease is free when nobody holds it or its holder let it expire (a dead process).
        """
        now = utc_now()
        try:
            with self._writing() as session:
                row = session.scalars(
                    select(RunMonitorRow).where(RunMonitorRow.name == name).with_for_update()
                ).one_or_none()
                if row is None:
                    row = RunMonitorRow(name=name)
                    session.add(row)
                elif (
                    row.holder not in (None, holder)
                    and row.lease_expires_at is not None
                    and row.lease_expires_at > now
                ):
                    return False
                row.holder = holder
                row.lease_expires_at = now + ttl
                return True
        except IntegrityError:  # another process created the row first: it holds the lease
            return False

    def release(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean shutdown), if ``holder`` has it."""
        with self._writing() as session:
            row = session.get(RunMonitorRow, name, with_for_update=True)
            if row is not None and row.holder == holder:
                row.lease_expires_at = utc_now()

    def state(self, name: str) -> MonitorState | None:
        """The lease and watermarks, None before any monitor ran."""
        with self._reading() as session:
            row = session.get(RunMonitorRow, name)
            return None if row is None else to_record(MonitorState, row)

    def advance(
        self,
        name: str,
        holder: str,
        *,
        started: datetime | None,
        closed: datetime | None,
        error: str | None = None,
    ) -> bool:
        """Record a finished pass: new watermarks (None keeps one) and its error, if any.

        Returns False, writing nothing, when ``holder`` no longer holds the lease.
        """
        with self._writing() as session:
            row = session.get(RunMonitorRow, name, with_for_update=True)
            if row is None or row.holder != holder:
                return False
            if started is not None:
                row.started_watermark = started
            if closed is not None:
                row.closed_watermark = closed
            row.last_sync_at = utc_now()
            row.last_error = error
            return True
