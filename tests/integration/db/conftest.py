"""Database fixtures on top of ``database_url`` (tests/integration/conftest.py): every test runs
on a fresh SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.db import Database, create_engine_for


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
