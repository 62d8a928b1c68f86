"""SQLAlchemy ORM models: one class per table, typed with ``Mapped``."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.db.records import (
    AlertSeverity,
    DeploymentStatus,
    ExecutionStatus,
    QueueStrategy,
    RunTrigger,
    WorkerStatus,
)
from core.db.types import JSONDocument, JSONValue, UTCDateTime, utc_now

# Named constraints make migrations deterministic on both dialects (and alterable on SQLite).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s__%(column_0_N_name)s",
    "uq": "uq_%(table_name)s__%(column_0_N_name)s",
    "ck": "ck_%(table_name)s__%(constraint_name)s",
    "fk": "fk_%(table_name)s__%(column_0_name)s__%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _status(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A status column stored as its string value, checked by a constraint on both dialects."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WorkflowRow(Base):
    """A workflow definition with its editable draft graph."""

    __tablename__ = "workflows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    draft_graph: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    owner: Mapped[str | None] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkflowVersionRow(Base):
    """An immutable graph snapshot; ``version`` counts up from 1 per workflow."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    graph: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    graph_hash: Mapped[str] = mapped_column(String(128))
    bundle_hash: Mapped[str] = mapped_column(String(128))
    compiler_version: Mapped[str] = mapped_column(String(40))
    # What the build depended on besides the graph (child workflow targets), to rebuild it.
    build_options: Mapped[dict[str, Any]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # The version whose graph a rollback deployed again as this one; None for a deploy.
    rollback_of: Mapped[int | None] = mapped_column(Integer)


class VersionBundleRow(Base):
    """The exact files a version was deployed with (migration 0010), read when a worker loads it."""

    __tablename__ = "version_bundles"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_versions.id", ondelete="CASCADE"), primary_key=True
    )
    files: Mapped[dict[str, str]] = mapped_column(JSONDocument)


class TaskQueueRow(Base):
    """A task queue the app manages."""

    __tablename__ = "task_queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    strategy: Mapped[QueueStrategy] = mapped_column(_status(QueueStrategy, "queue_strategy"))
    pool_size: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class WorkerRow(Base):
    """A worker (thread in the app or ``python -m core.worker`` process) and its heartbeat."""

    __tablename__ = "workflow_workers"
    __table_args__ = (Index("ix_workflow_workers__task_queue_status", "task_queue", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(200), unique=True)
    task_queue: Mapped[str] = mapped_column(String(200))
    status: Mapped[WorkerStatus] = mapped_column(_status(WorkerStatus, "worker_status"))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int | None] = mapped_column(Integer)
    pid: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_heartbeat: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
    # "metadata" is reserved on declarative classes, hence the attribute name.
    worker_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSONValue, default=dict)


class WorkerCapabilityRow(Base):
    """A workflow type (and optionally one of its activities) a worker can run."""

    __tablename__ = "worker_capabilities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workflow_workers.worker_id", ondelete="CASCADE"), index=True
    )
    workflow_type: Mapped[str] = mapped_column(String(200), index=True)
    activity_name: Mapped[str | None] = mapped_column(String(200))


class DeploymentRow(Base):
    """A workflow version deployed to a task queue, and where its bundle lives."""

    __tablename__ = "workflow_deployments"
    __table_args__ = (
        Index("ix_workflow_deployments__workflow_id_status", "workflow_id", "status"),
        Index("ix_workflow_deployments__task_queue_status", "task_queue", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_versions.id", ondelete="CASCADE"), index=True
    )
    task_queue: Mapped[str] = mapped_column(String(200))
    workflow_type: Mapped[str] = mapped_column(String(200))
    status: Mapped[DeploymentStatus] = mapped_column(_status(DeploymentStatus, "deployment_status"))
    error: Mapped[str | None] = mapped_column(Text)
    bundle_dir: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``host:pid`` of the process deploying it, while it is pending (migration 0009).
    owner: Mapped[str | None] = mapped_column(String(300))
    #: Task queues its steps run activities on besides its own, each with the activities run
    #: there, so the fleet serves them (migration 0012).
    step_queues: Mapped[dict[str, list[str]]] = mapped_column(
        JSONDocument, default=dict, server_default=text("'{}'")
    )


class ExecutionRow(Base):
    """The database's mirror of a Temporal run, for listing, filtering and charts."""

    __tablename__ = "workflow_executions"
    __table_args__ = (
        UniqueConstraint("workflow_id", "run_id"),
        Index("ix_workflow_executions__status_start_time", "status", "start_time"),
        Index("ix_workflow_executions__workflow_type_start_time", "workflow_type", "start_time"),
        # The dashboard's aggregates read these two alone, never the wide rows (migration 0008).
        Index(
            "ix_workflow_executions__start_time_status",
            "start_time",
            "status",
            "definition_id",
            "close_time",
        ),
        Index(
            "ix_workflow_executions__definition_id_start_time_status",
            "definition_id",
            "start_time",
            "status",
            "close_time",
        ),
        Index("ix_workflow_executions__trigger_start_time", "trigger", "start_time"),
        Index("ix_workflow_executions__close_time", "close_time"),
        Index("ix_workflow_executions__run_id", "run_id"),
        Index("ix_workflow_executions__details_synced", "details_synced"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(255))
    run_id: Mapped[str] = mapped_column(String(64))
    workflow_type: Mapped[str] = mapped_column(String(200))
    definition_id: Mapped[int | None] = mapped_column(
        ForeignKey("workflows.id", ondelete="SET NULL")
    )
    version: Mapped[int | None] = mapped_column(Integer)
    task_queue: Mapped[str] = mapped_column(String(200))
    status: Mapped[ExecutionStatus] = mapped_column(_status(ExecutionStatus, "execution_status"))
    trigger: Mapped[RunTrigger | None] = mapped_column(_status(RunTrigger, "run_trigger"))
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    close_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    history_length: Mapped[int | None] = mapped_column(Integer)
    parent_workflow_id: Mapped[str | None] = mapped_column(String(255))
    parent_run_id: Mapped[str | None] = mapped_column(String(64))
    input_preview: Mapped[str | None] = mapped_column(Text)
    result_preview: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    failed_node_id: Mapped[str | None] = mapped_column(String(255))
    failed_node_label: Mapped[str | None] = mapped_column(Text)
    details_synced: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


class RunStepRow(Base):
    """What one step (graph node) of a closed run did: visits, activity attempts, time."""

    __tablename__ = "run_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    execution_id: Mapped[int] = mapped_column(
        ForeignKey("workflow_executions.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[str] = mapped_column(String(255))
    visits: Mapped[int] = mapped_column(Integer)
    calls: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    failed: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float | None] = mapped_column(Float)


class RunMonitorRow(Base):
    """The run monitor's lease and watermarks (one row; see ``core.monitor``)."""

    __tablename__ = "run_monitor"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class ScheduleRow(Base):
    """A cron schedule that starts runs of a workflow."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[str] = mapped_column(String(200), unique=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    cron: Mapped[str] = mapped_column(String(200))
    input: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class AlertRow(Base):
    """An open alert (see ``core.alerts``); a cleared alert's row is deleted."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    rule: Mapped[str] = mapped_column(String(100))
    severity: Mapped[AlertSeverity] = mapped_column(_status(AlertSeverity, "alert_severity"))
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class UserRow(Base):
    """A local account: its argon2 password hash (None for single sign-on only), role and
    sign-in throttling state."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sign_in: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionRow(Base):
    """A signed-in browser session, found by the SHA-256 of its token (the token itself is
    only ever in the browser's cookie)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """One audited change or sign-in; rows are only ever inserted (see ``core.auth.audit``)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log__actor_at", "actor", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)


class SecretRow(Base):
    """A secret (core.secrets): its value only as a Fernet token, never in clear."""

    __tablename__ = "secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
