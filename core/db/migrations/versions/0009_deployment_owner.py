"""Which process a deployment is being deployed by, so an interrupted deploy can be told apart.

A deploy records its deployment as pending while the workers load it; when the app dies
before the deploy ends, the app's next start fails that deployment (core.deploy.recovery). The
owner (``host:pid``) tells a dead deploy from one another app process is still running.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workflow_deployments") as batch:
        batch.add_column(sa.Column("owner", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflow_deployments") as batch:
        batch.drop_column("owner")
