"""Engines and sessions for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option a write transaction sets so that SQLite starts it with BEGIN IMMEDIATE.
SQLITE_BEGIN_OPTION = "wb_sqlite_begin"


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL, choosing the psycopg 3 driver for bare PostgreSQL URLs.

    Args:
        url: ``sqlite:///path``, ``postgresql://...``, ``postgres://...`` or with a driver.

    Returns:
        The parsed URL; ``postgresql``/``postgres`` without a driver become ``postgresql+psycopg``.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine_for(url: str | URL, *, echo: bool = False) -> Engine:
    """Create an engine for a database URL, tuned for the dialect.

    SQLite files get their parent folder created, and every connection gets WAL journaling,
    enforced foreign keys and a busy timeout; transactions start with a real ``BEGIN`` (and
    ``BEGIN IMMEDIATE`` for repository writes) instead of pysqlite's implicit, late one.
    PostgreSQL uses psycopg 3 with pre-ping so connections dropped by the server are replaced.

    Args:
        url: the database URL (see ``normalize_url``).
        echo: log every SQL statement (debugging).

    Returns:
        A new engine; the caller disposes of it.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, echo=echo)
    return create_engine(parsed, echo=echo, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit (values are copied out)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _sqlite_engine(url: URL, *, echo: bool) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy: pysqlite would otherwise BEGIN only before the
    # first write, so a read-then-write sequence would not be one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout instead
    # of the later one failing with "database is locked" when it tries to upgrade its snapshot.
    mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
