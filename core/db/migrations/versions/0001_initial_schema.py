"""Initial schema: workflows, versions, task queues, workers, deployments, executions, schedules.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain types, frozen here on purpose: a migration must not change when core.db.types does.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON(none_as_null=True)
JSON_VALUE = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True), "postgresql"
)


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _created_at() -> sa.Column[datetime]:
    return sa.Column("created_at", UTC_DATETIME, nullable=False)


def upgrade() -> None:
    op.create_table(
        "task_queues",
        _id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "strategy", _status("queue_strategy", "single", "per_workflow", "pool"), nullable=False
        ),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_queues")),
        sa.UniqueConstraint("name", name=op.f("uq_task_queues__name")),
    )
    op.create_table(
        "workflow_workers",
        _id(),
        sa.Column("worker_id", sa.String(200), nullable=False),
        sa.Column("task_queue", sa.String(200), nullable=False),
        sa.Column(
            "status",
            _status("worker_status", "starting", "running", "stopping", "stopped", "failed"),
            nullable=False,
        ),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("stopped_at", UTC_DATETIME, nullable=True),
        sa.Column("last_heartbeat", UTC_DATETIME, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("metadata", JSON_VALUE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_workers")),
        sa.UniqueConstraint("worker_id", name=op.f("uq_workflow_workers__worker_id")),
    )
    op.create_index(
        "ix_workflow_workers__task_queue_status", "workflow_workers", ["task_queue", "status"]
    )
    op.create_table(
        "workflows",
        _id(),
        sa.Column("name", sa.String(63), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("draft_graph", JSON_DOCUMENT, nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        _created_at(),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("deleted_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflows")),
        sa.UniqueConstraint("name", name=op.f("uq_workflows__name")),
    )
    op.create_index(op.f("ix_workflows__owner"), "workflows", ["owner"])
    op.create_table(
        "schedules",
        _id(),
        sa.Column("schedule_id", sa.String(200), nullable=False),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("cron", sa.String(200), nullable=False),
        sa.Column("input", JSON_VALUE, nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_schedules__workflow_id__workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
        sa.UniqueConstraint("schedule_id", name=op.f("uq_schedules__schedule_id")),
    )
    op.create_index(op.f("ix_schedules__workflow_id"), "schedules", ["workflow_id"])
    op.create_table(
        "worker_capabilities",
        _id(),
        sa.Column("worker_id", sa.String(200), nullable=False),
        sa.Column("workflow_type", sa.String(200), nullable=False),
        sa.Column("activity_name", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workflow_workers.worker_id"],
            name=op.f("fk_worker_capabilities__worker_id__workflow_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_capabilities")),
    )
    op.create_index(op.f("ix_worker_capabilities__worker_id"), "worker_capabilities", ["worker_id"])
    op.create_index(
        op.f("ix_worker_capabilities__workflow_type"), "worker_capabilities", ["workflow_type"]
    )
    op.create_table(
        "workflow_executions",
        _id(),
        sa.Column("workflow_id", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("workflow_type", sa.String(200), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("task_queue", sa.String(200), nullable=False),
        sa.Column(
            "status",
            _status(
                "execution_status",
                "running",
                "completed",
                "failed",
                "canceled",
                "terminated",
                "continued_as_new",
                "timed_out",
            ),
            nullable=False,
        ),
        sa.Column("input", JSON_VALUE, nullable=True),
        sa.Column("output", JSON_VALUE, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("start_time", UTC_DATETIME, nullable=False),
        sa.Column("close_time", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_executions__definition_id__workflows"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_executions")),
        sa.UniqueConstraint(
            "workflow_id", "run_id", name=op.f("uq_workflow_executions__workflow_id_run_id")
        ),
    )
    for name, columns in (
        ("ix_workflow_executions__start_time", ["start_time"]),
        ("ix_workflow_executions__status_start_time", ["status", "start_time"]),
        ("ix_workflow_executions__workflow_type_start_time", ["workflow_type", "start_time"]),
        ("ix_workflow_executions__definition_id_start_time", ["definition_id", "start_time"]),
    ):
        op.create_index(name, "workflow_executions", columns)
    op.create_table(
        "workflow_versions",
        _id(),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("graph", JSON_DOCUMENT, nullable=False),
        sa.Column("graph_hash", sa.String(128), nullable=False),
        sa.Column("bundle_hash", sa.String(128), nullable=False),
        sa.Column("compiler_version", sa.String(40), nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_versions__workflow_id__workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_versions")),
        sa.UniqueConstraint(
            "workflow_id", "version", name=op.f("uq_workflow_versions__workflow_id_version")
        ),
    )
    op.create_table(
        "workflow_deployments",
        _id(),
        sa.Column("workflow_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("task_queue", sa.String(200), nullable=False),
        sa.Column("workflow_type", sa.String(200), nullable=False),
        sa.Column(
            "status",
            _status("deployment_status", "pending", "active", "draining", "retired", "failed"),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("bundle_dir", sa.Text(), nullable=False),
        _created_at(),
        sa.Column("activated_at", UTC_DATETIME, nullable=True),
        sa.Column("retired_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_workflow_deployments__version_id__workflow_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["workflows.id"],
            name=op.f("fk_workflow_deployments__workflow_id__workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_deployments")),
    )
    for name, columns in (
        ("ix_workflow_deployments__version_id", ["version_id"]),
        ("ix_workflow_deployments__workflow_id_status", ["workflow_id", "status"]),
        ("ix_workflow_deployments__task_queue_status", ["task_queue", "status"]),
    ):
        op.create_index(name, "workflow_deployments", columns)


def downgrade() -> None:
    # Dropping a table drops its indexes; children go before the tables they reference.
    for table in (
        "workflow_deployments",
        "workflow_versions",
        "workflow_executions",
        "worker_capabilities",
        "schedules",
        "workflows",
        "workflow_workers",
        "task_queues",
    ):
        op.drop_table(table)
