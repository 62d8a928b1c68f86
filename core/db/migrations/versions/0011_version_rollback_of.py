"""Which version a rollback made each version from, for the versions table ("rollback of v2").

A rollback deploys an old version's graph as a new version; nothing recorded that, so the
table could not tell a rollback from a deploy of an edited draft. Versions made before this
migration have none.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workflow_versions") as batch:
        batch.add_column(sa.Column("rollback_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflow_versions") as batch:
        batch.drop_column("rollback_of")
