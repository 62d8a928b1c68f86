"""Secrets as stored: encrypted values by name, their dates, and the graphs that may use them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from core.db.errors import DuplicateRecordError, RecordNotFoundError
from core.db.models import DeploymentRow, SecretRow, WorkflowRow, WorkflowVersionRow
from core.db.records import DeploymentStatus, SecretRecord
from core.db.repositories._base import Repository, to_record


class SecretRepository(Repository):
    """Encrypted secrets; values go in and out only as ciphertext (``core.secrets`` seals)."""

    def create(self, name: str, *, ciphertext: str, created_by: str, now: datetime) -> SecretRecord:
        """Store a new secret.

        Raises:
            DuplicateRecordError: a secret of that name exists.
        """
        try:
            with self._writing() as session:
                row = SecretRow(name=name, ciphertext=ciphertext, created_by=created_by)
                row.created_at = now
                session.add(row)
                session.flush()
                return to_record(SecretRecord, row)
        except IntegrityError:
            raise DuplicateRecordError("secret", name) from None

    def rotate(self, name: str, *, ciphertext: str, now: datetime) -> SecretRecord:
        """Replace a secret's value.

        Raises:
            RecordNotFoundError: no secret of that name.
        """
        with self._writing() as session:
            row = session.scalar(select(SecretRow).where(SecretRow.name == name))
            if row is None:
                raise RecordNotFoundError("secret", name)
            row.ciphertext = ciphertext
            row.rotated_at = now
            session.flush()
            return to_record(SecretRecord, row)

    def delete(self, name: str) -> None:
        """Remove a secret.

        Raises:
            RecordNotFoundError: no secret of that name.
        """
        with self._writing() as session:
            result = session.execute(delete(SecretRow).where(SecretRow.name == name))
            if not getattr(result, "rowcount", 0):
                raise RecordNotFoundError("secret", name)

    def find(self) -> list[SecretRecord]:
        """Every secret, by name."""
        with self._reading() as session:
            rows = session.scalars(select(SecretRow).order_by(SecretRow.name))
            return [to_record(SecretRecord, row) for row in rows]

    def names(self) -> frozenset[str]:
        """The names of every secret."""
        with self._reading() as session:
            return frozenset(session.scalars(select(SecretRow.name)))

    def ciphertext(self, name: str) -> str | None:
        """The stored token of a secret, None when there is no such secret."""
        with self._reading() as session:
            return session.scalar(select(SecretRow.ciphertext).where(SecretRow.name == name))

    def graphs_in_use(self) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        """Each workflow's name with its draft graph and the graph its active version runs."""
        active = (
            select(DeploymentRow.workflow_id, WorkflowVersionRow.graph)
            .join(WorkflowVersionRow, WorkflowVersionRow.id == DeploymentRow.version_id)
            .where(DeploymentRow.status == DeploymentStatus.ACTIVE)
            .subquery()
        )
        query = (
            select(WorkflowRow.name, WorkflowRow.draft_graph, active.c.graph)
            .outerjoin(active, active.c.workflow_id == WorkflowRow.id)
            .where(WorkflowRow.deleted_at.is_(None))
            .order_by(WorkflowRow.name)
        )
        with self._reading() as session:
            return [(name, draft, graph) for name, draft, graph in session.execute(query)]
