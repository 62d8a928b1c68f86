"""Alembic environment: runs migrations on the connection ``core.db.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from core.db.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection) or context.is_offline_mode():
    raise RuntimeError(
        "core.db migrations run through core.db.migrate.migrate(engine) (or alembic_config(conn)),"
        " which passes an open connection; offline SQL generation is not supported"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
