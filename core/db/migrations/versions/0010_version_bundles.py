"""The exact bundle each version was deployed with, so any worker serves it byte for byte.

Workers on other machines have no deploy folder; they used to rebuild a version from its
graph, which after a compiler upgrade gives other bytes and was refused. The files now live in
the database beside the version (one row each, read only when a worker loads the version).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "version_bundles",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("files", sa.JSON(none_as_null=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_version_bundles__version_id__workflow_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_version_bundles")),
    )


def downgrade() -> None:
    op.drop_table("version_bundles")
