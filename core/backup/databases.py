"""Copies of a database taken while it is in use: SQLite's online backup, or pg_dump."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from core.backup.errors import BackupError
from core.db import create_engine_for, normalize_url


def is_sqlite(url: str) -> bool:
    """Whether the SQLAlchemy URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    """The file of a SQLite URL.

    Raises:
        BackupError: the URL is an in-memory database, which has nothing to copy.
    """
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"the SQLite database {url!r} is in memory: there is no file to copy")
    return Path(database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite file with SQLite's online backup: one consistent snapshot, even while
    other processes write to it (in WAL mode they are not even held up).

    Raises:
        BackupError: the source is missing or cannot be read.
    """
    if not source.is_file():
        raise BackupError(f"the SQLite file {source} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Read-only: the copy must never change the file of a running app or server.
        with (
            contextlib.closing(
                sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            ) as src,
            contextlib.closing(sqlite3.connect(target)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy the SQLite file {source}: {error}") from error


def dump_postgres(url: str, target: Path) -> None:
    """Write the PostgreSQL database to ``target`` with ``pg_dump`` (custom format), which
    reads one consistent snapshot while the app keeps writing.

    Raises:
        BackupError: pg_dump is missing or failed (its message included).
    """
    _run_pg("pg_dump", url, ["--format=custom", "--no-owner", "--no-privileges", "-f", str(target)])


def restore_postgres(url: str, source: Path) -> None:
    """Load a dump made by :func:`dump_postgres` into the (empty) database at ``url``.

    Raises:
        BackupError: pg_restore is missing or failed (its message included).
    """
    _run_pg("pg_restore", url, ["--no-owner", "--no-privileges", "--exit-on-error", str(source)])


def database_tables(url: str) -> list[str]:
    """The tables the database at ``url`` has (empty for a new database).

    Raises:
        BackupError: the database cannot be reached.
    """
    engine = create_engine_for(url)
    try:
        return sorted(inspect(engine).get_table_names())
    except Exception as error:  # any driver error: report it with the URL, not a traceback
        raise BackupError(f"cannot read the database {_shown(url)}: {error}") from error
    finally:
        engine.dispose()


def _run_pg(tool: str, url: str, args: list[str]) -> None:
    binary = _pg_tool(tool)
    target = normalize_url(url)
    # libpq takes the URL without the driver name; the password goes by environment, never
    # on a command line that other users can read.
    libpq: URL = target.set(drivername="postgresql", password=None)
    env = {**os.environ}
    if target.password:
        env["PGPASSWORD"] = str(target.password)
    command = [str(binary), *args, "--dbname", libpq.render_as_string(hide_password=False)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            f"{tool} failed for {_shown(url)} (exit {done.returncode}): {done.stderr.strip()}"
        )


def _pg_tool(tool: str) -> Path:
    found = shutil.which(tool)
    if found:
        return Path(found)
    # Debian keeps them per major version, not always on PATH; the newest reads older servers.
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{tool} was not found on PATH: install the PostgreSQL client tools "
        "(Debian: apt-get install postgresql-client), at least the server's major version"
    )


def _shown(url: str) -> str:
    return normalize_url(url).render_as_string(hide_password=True)
