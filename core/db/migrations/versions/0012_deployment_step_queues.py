"""Which other task queues a deployment's steps run activities on, so the fleet serves them.

A step may name a task queue of its own; the fleet runs activity-only workers there for every
deployment whose steps name it. Deployments made before this revision get theirs from their
version's graph (activity nodes with a task queue other than the deployment's, not local).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain type, frozen here on purpose: a migration must not change when core.db.types does.
JSON_DOCUMENT = sa.JSON(none_as_null=True)


def upgrade() -> None:
    with op.batch_alter_table("workflow_deployments") as batch:
        batch.add_column(
            sa.Column("step_queues", JSON_DOCUMENT, nullable=False, server_default=sa.text("'{}'"))
        )
    deployments = sa.table(
        "workflow_deployments",
        sa.column("id", sa.Integer),
        sa.column("version_id", sa.Integer),
        sa.column("task_queue", sa.String),
        sa.column("step_queues", JSON_DOCUMENT),
    )
    versions = sa.table("workflow_versions", sa.column("id", sa.Integer), sa.column("graph"))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(deployments.c.id, deployments.c.task_queue, versions.c.graph).join(
            versions, versions.c.id == deployments.c.version_id
        )
    ).all()
    for deployment_id, own_queue, graph in rows:
        found = _step_queues(json.loads(graph) if isinstance(graph, str) else graph, own_queue)
        if found:
            connection.execute(
                deployments.update()
                .where(deployments.c.id == deployment_id)
                .values(step_queues=found)
            )


def downgrade() -> None:
    with op.batch_alter_table("workflow_deployments") as batch:
        batch.drop_column("step_queues")


def _step_queues(graph: Any, own_queue: str) -> dict[str, list[str]]:
    # Read from the stored JSON as it is, without the app's models: a migration must keep
    # working when they change.
    found: dict[str, set[str]] = {}
    for node in (graph or {}).get("nodes", ()):
        params = node.get("params") or {}
        queue = params.get("task_queue")
        if node.get("type") != "activity" or params.get("local") or not queue:
            continue
        if queue != own_queue:
            found.setdefault(queue, set()).add(str(params.get("activity")))
    return {queue: sorted(names) for queue, names in sorted(found.items())}
