"""What every repository shares: sessions per call, row-to-record copying, status transitions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core.db.engine import SQLITE_BEGIN_OPTION
from core.db.errors import DatabaseError, InvalidTransitionError
from core.db.models import Base

RecordT = TypeVar("RecordT")
StatusT = TypeVar("StatusT", bound=str)


class Repository:
    """Base of the repositories: one short session per public call, never shared with callers.

    Args:
        sessions: the session factory from ``core.db.engine.make_session_factory``.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        # Asked of a session, which connects only when used; make_session_factory binds an
        # engine.
        with sessions() as session:
            self._engine = cast(Engine, session.get_bind())

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def _statement(self) -> Iterator[Connection]:
        # A connection in a transaction (committed on success) for one prebuilt Core statement:
        # half the time of a session, which counts where a run's start waits on it. One
        # statement needs no BEGIN IMMEDIATE: a write takes SQLite's lock as its first step.
        with self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        # Commits on success, rolls back on error; on SQLite the write lock is taken at BEGIN so
        # read-then-write steps (next version number, status checks) cannot interleave.
        with self._sessions.begin() as session:
            session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            yield session


def to_record(record_type: type[RecordT], row: object, **overrides: Any) -> RecordT:
    """Copy a row's attributes into a frozen record; ``overrides`` give renamed fields."""
    values = {
        field.name: overrides[field.name] if field.name in overrides else getattr(row, field.name)
        for field in fields(record_type)  # type: ignore[arg-type]
    }
    return record_type(**values)


def check_transition(
    *,
    kind: str,
    key: object,
    current: StatusT,
    target: StatusT,
    transitions: Mapping[StatusT, Set[StatusT]],
) -> None:
    """Raise ``InvalidTransitionError`` unless ``transitions`` allows ``current`` -> ``target``."""
    allowed = transitions[current]
    if target not in allowed:
        raise InvalidTransitionError(
            kind, key, current=str(current), target=str(target), allowed=map(str, allowed)
        )


def dialect_of(session: Session) -> str:
    """The name of the session's database dialect ("sqlite" or "postgresql")."""
    return session.get_bind().dialect.name


def dialect_insert(dialect: str, entity: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with ``on_conflict_do_*`` for ``dialect`` (SQLite or PostgreSQL)."""
    if dialect == "postgresql":
        return postgresql.insert(entity)
    if dialect == "sqlite":
        return sqlite.insert(entity)
    raise DatabaseError(f"core.db supports SQLite and PostgreSQL, not {dialect}")
