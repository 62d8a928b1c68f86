"""Run the Alembic migrations shipped inside this package, from any working directory."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection) -> Config:
    """An Alembic configuration bound to an open connection, with no ``alembic.ini`` needed.

    Also the way to write a new migration::

        with engine.begin() as conn:
            command.revision(alembic_config(conn), message="...", autogenerate=True)
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, *, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (the newest by default).

    Safe to call on every start: an up-to-date database is left as it is.
    """
    logger.info("migrating %s to %s", engine.url.render_as_string(hide_password=True), revision)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
