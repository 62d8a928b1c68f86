"""Plain frozen values the repositories return, and the status vocabularies they use."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class QueueStrategy(enum.StrEnum):
    """How deployments are spread over task queues."""

    SINGLE = "single"
    PER_WORKFLOW = "per_workflow"
    POOL = "pool"


class WorkerStatus(enum.StrEnum):
    """Life cycle of a worker process or thread."""

    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"


class DeploymentStatus(enum.StrEnum):
    """Life cycle of one deployed workflow version."""

    PENDING = "pending"
    ACTIVE = "active"
    DRAINING = "draining"
    RETIRED = "retired"
    FAILED = "failed"


class ExecutionStatus(enum.StrEnum):
    """Temporal's execution statuses, lower-cased."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    TERMINATED = "terminated"
    CONTINUED_AS_NEW = "continued_as_new"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True)
class WorkflowRecord:
    """A workflow as drawn: its slug, texts and the draft graph being edited."""

    id: int
    name: str
    title: str
    description: str
    draft_graph: dict[str, Any] | None
    owner: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


@dataclass(frozen=True)
class WorkflowSummary:
    """One line of the workflow list: the workflow plus its latest version and deployment."""

    id: int
    name: str
    title: str
    description: str
    owner: str | None
    created_at: datetime
    updated_at: datetime
    latest_version: int | None
    deployment_status: DeploymentStatus | None


@dataclass(frozen=True)
class VersionRecord:
    """An immutable, numbered snapshot of a workflow's graph, as built and deployed.

    ``build_options`` holds what the build used besides the graph, so that any machine can
    compile the same bytes again: ``{"children": {name: {"workflow_type", "task_queue"}}}``
    (see ``core.compiler.build_options``); ``{}`` for versions built before it was kept.
    """

    id: int
    workflow_id: int
    version: int
    graph: dict[str, Any]
    graph_hash: str
    bundle_hash: str
    compiler_version: str
    created_at: datetime
    build_options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TaskQueueRecord:
    """A task queue the app knows about and how deployments use it."""

    id: int
    name: str
    strategy: QueueStrategy
    pool_size: int
    created_at: datetime


@dataclass(frozen=True)
class Capability:
    """Something a worker can run: a workflow type, or one activity of it."""

    workflow_type: str
    activity_name: str | None = None


@dataclass(frozen=True)
class WorkerRecord:
    """A registered worker and its last known state."""

    id: int
    worker_id: str
    task_queue: str
    status: WorkerStatus
    host: str
    port: int | None
    pid: int | None
    started_at: datetime
    stopped_at: datetime | None
    last_heartbeat: datetime | None
    error: str | None
    metadata: dict[str, Any]


@dataclass(frozen=True)
class DeploymentRecord:
    """One version of a workflow deployed to a task queue."""

    id: int
    workflow_id: int
    version_id: int
    task_queue: str
    workflow_type: str
    status: DeploymentStatus
    error: str | None
    bundle_dir: str
    created_at: datetime
    activated_at: datetime | None
    retired_at: datetime | None


@dataclass(frozen=True)
class ExecutionRecord:
    """The database's mirror of one Temporal run.

    ``workflow_id`` and ``run_id`` are Temporal's; ``definition_id`` points at the
    Workflow Builder workflow the run was started from, when known.
    """

    id: int
    workflow_id: str
    run_id: str
    workflow_type: str
    definition_id: int | None
    version: int | None
    task_queue: str
    status: ExecutionStatus
    input: Any
    output: Any
    error: str | None
    start_time: datetime
    close_time: datetime | None


@dataclass(frozen=True)
class ExecutionPage:
    """One page of a filtered execution list, with the total that matched the filters."""

    items: tuple[ExecutionRecord, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class ScheduleRecord:
    """A cron schedule that starts runs of a workflow."""

    id: int
    schedule_id: str
    workflow_id: int
    cron: str
    input: Any
    paused: bool
    created_at: datetime
