"""Versions keep their build options (child workflow targets) so any machine can rebuild them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain type, frozen here on purpose: a migration must not change when core.db.types does.
JSON_DOCUMENT = sa.JSON(none_as_null=True)


def upgrade() -> None:
    # Versions built before this revision used no options: '{}' rebuilds them as they were.
    with op.batch_alter_table("workflow_versions") as batch:
        batch.add_column(
            sa.Column(
                "build_options", JSON_DOCUMENT, nullable=False, server_default=sa.text("'{}'")
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("workflow_versions") as batch:
        batch.drop_column("build_options")
