"""The audit log: every change, denial and sign-in, appended; admins read it, nobody edits it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from core.auth.roles import SYSTEM, Actor, Role, action
from core.db import AuditEntry, AuditFilter, Database
from core.db.types import utc_now

logger = logging.getLogger(__name__)


class AuditLog:
    """Where the actions of signed-in users are recorded (an :class:`~core.auth.AuditSink`).

    :meth:`record` is the sink the role check writes through, for every actor, so it has no
    rule of its own; reading the log is for admins.
    """

    actor: Actor = SYSTEM

    def __init__(self, database: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._db = database
        self._clock = clock

    def record(
        self, *, actor: str, action: str, target: str, outcome: str, detail: str = ""
    ) -> None:
        """Append one entry. A database failure is logged, not raised: it must not turn an
        action that was done into one reported as failed."""
        try:
            self._db.audit.append(
                at=self._clock(),
                actor=actor,
                action=action,
                target=target,
                outcome=outcome,
                detail=detail,
            )
        except SQLAlchemyError as error:
            logger.error(
                "audit entry not written (%s %s %s %s): %s", actor, action, target, outcome, error
            )

    @action(Role.ADMIN, change=False)
    def entries(self, where: AuditFilter | None = None, *, limit: int = 500) -> list[AuditEntry]:
        """The entries matching ``where`` (all when None), newest first, at most ``limit``."""
        return self._db.audit.find(where or AuditFilter(), limit=limit)

    @action(Role.ADMIN, change=False)
    def choices(self) -> tuple[list[str], list[str]]:
        """Every actor and every action that has an entry (for the filters)."""
        return self._db.audit.actors(), self._db.audit.actions()
