"""Execution records for the runs console: trigger, previews, failed step, parent; monitor lease.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain types, frozen here on purpose: a migration must not change when core.db.types does.
UTC_DATETIME = sa.DateTime(timezone=True)
# The preview cap of core.db.repositories.executions at the time of this revision.
PREVIEW_CHARS = 2000

_NEW_COLUMNS: tuple[sa.Column[Any], ...] = (
    sa.Column(
        "trigger",
        sa.Enum(
            "manual",
            "schedule",
            "child",
            "external",
            name="run_trigger",
            native_enum=False,
            create_constraint=True,
            length=20,
        ),
        nullable=True,
    ),
    sa.Column("history_length", sa.Integer(), nullable=True),
    sa.Column("parent_workflow_id", sa.String(255), nullable=True),
    sa.Column("parent_run_id", sa.String(64), nullable=True),
    sa.Column("input_preview", sa.Text(), nullable=True),
    sa.Column("result_preview", sa.Text(), nullable=True),
    sa.Column("failed_node_id", sa.String(255), nullable=True),
    sa.Column("failed_node_label", sa.Text(), nullable=True),
    sa.Column("details_synced", sa.Boolean(), nullable=False, server_default=sa.text("false")),
)
_NEW_INDEXES = (
    ("ix_workflow_executions__trigger_start_time", ["trigger", "start_time"]),
    ("ix_workflow_executions__close_time", ["close_time"]),
    ("ix_workflow_executions__run_id", ["run_id"]),
    ("ix_workflow_executions__details_synced", ["details_synced"]),
)


def _preview(value: Any) -> str | None:
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def upgrade() -> None:
    with op.batch_alter_table("workflow_executions") as batch:
        for column in _NEW_COLUMNS:
            batch.add_column(column)
    # Full input and output become capped previews; rows written before keep what they had.
    executions = sa.table(
        "workflow_executions",
        sa.column("id", sa.Integer()),
        sa.column("input", sa.JSON()),
        sa.column("output", sa.JSON()),
        sa.column("input_preview", sa.Text()),
        sa.column("result_preview", sa.Text()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(executions.c.id, executions.c.input, executions.c.output)
    ).all()
    for row_id, given, result in rows:
        connection.execute(
            executions.update()
            .where(executions.c.id == row_id)
            .values(input_preview=_preview(given), result_preview=_preview(result))
        )
    with op.batch_alter_table("workflow_executions") as batch:
        batch.drop_column("input")
        batch.drop_column("output")
        for name, columns in _NEW_INDEXES:
            batch.create_index(name, columns)
    op.create_table(
        "run_monitor",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("lease_expires_at", UTC_DATETIME, nullable=True),
        sa.Column("started_watermark", UTC_DATETIME, nullable=True),
        sa.Column("closed_watermark", UTC_DATETIME, nullable=True),
        sa.Column("last_sync_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_run_monitor")),
    )


def downgrade() -> None:
    op.drop_table("run_monitor")
    json_value = sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )
    with op.batch_alter_table("workflow_executions") as batch:
        for name, _ in _NEW_INDEXES:
            batch.drop_index(name)
        batch.add_column(sa.Column("input", json_value, nullable=True))
        batch.add_column(sa.Column("output", json_value, nullable=True))
        for column in _NEW_COLUMNS:
            batch.drop_column(column.name)
