"""The audit log's rows: appended and read, never updated or deleted (no method here does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.db.models import AuditRow
from core.db.records import AuditEntry
from core.db.repositories._base import Repository, to_record


@dataclass(frozen=True)
class AuditFilter:
    """Which audit entries to read; None matches anything.

    Attributes:
        since: entries at or after this time.
        until: entries before this time.
    """

    actor: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditRepository(Repository):
    """Append-only: :meth:`append` and reads."""

    def append(
        self, *, at: datetime, actor: str, action: str, target: str, outcome: str, detail: str
    ) -> None:
        """Add one entry."""
        with self._writing() as session:
            session.add(
                AuditRow(
                    at=at,
                    actor=actor[:200],
                    action=action[:200],
                    target=target,
                    outcome=outcome[:20],
                    detail=detail,
                )
            )

    def find(self, where: AuditFilter, *, limit: int = 500) -> list[AuditEntry]:
        """Matching entries, newest first, at most ``limit``."""
        query = select(AuditRow)
        if where.actor is not None:
            query = query.where(AuditRow.actor == where.actor)
        if where.action is not None:
            query = query.where(AuditRow.action == where.action)
        if where.outcome is not None:
            query = query.where(AuditRow.outcome == where.outcome)
        if where.since is not None:
            query = query.where(AuditRow.at >= where.since)
        if where.until is not None:
            query = query.where(AuditRow.at < where.until)
        query = query.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
        with self._reading() as session:
            return [to_record(AuditEntry, row) for row in session.scalars(query)]

    def actors(self) -> list[str]:
        """Every actor that has an entry, sorted (for a filter's choices)."""
        with self._reading() as session:
            found = session.scalars(select(AuditRow.actor).distinct().order_by(AuditRow.actor))
            return list(found)

    def actions(self) -> list[str]:
        """Every action that has an entry, sorted."""
        with self._reading() as session:
            found = session.scalars(select(AuditRow.action).distinct().order_by(AuditRow.action))
            return list(found)
