"""Database fixtures: every test runs on a fresh SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from core.db import Database, create_engine_for, normalize_url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind, gone after the test.

    SQLite lives in a not-yet-existing subfolder of the test's temp dir (the engine must create
    it). PostgreSQL gets a uuid-named database on the TEST_DATABASE_URL cluster; without that
    variable the shared ``postgres_url`` fixture skips locally and fails under CI.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'app.db'}"
        return
    admin_url = normalize_url(request.getfixturevalue("postgres_url"))
    name = f"wb_test_{uuid.uuid4().hex}"
    admin = create_engine_for(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            # FORCE ends sessions a failed test may have left open on the database.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty test database (not migrated)."""
    engine = create_engine_for(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database with its repositories."""
    with Database.open(database_url) as database:
        yield database
