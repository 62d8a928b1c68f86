"""Plain frozen values the repositories return, and the status vocabularies they use."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


class AlertSeverity(enum.StrEnum):
    """How urgent an alert is: a warning to look at, or something down."""

    WARNING = "warning"
    CRITICAL = "critical"


class RunTrigger(enum.StrEnum):
    """What started a run: the console or CLI, a schedule, a parent workflow, anyone else."""

    MANUAL = "manual"
    SCHEDULE = "schedule"
    CHILD = "child"
    EXTERNAL = "external"


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
class WorkflowOverview:
    """One line of the workflows page: the workflow and its draft, the version that serves new
    runs (its number and graph), its schedule and its newest recorded run."""

    id: int
    name: str
    title: str
    draft_graph: dict[str, Any] | None
    live_version: int | None
    live_graph: dict[str, Any] | None
    cron: str | None
    schedule_paused: bool | None
    last_run_status: ExecutionStatus | None
    last_run_start: datetime | None


@dataclass(frozen=True)
class VersionRecord:
    """An immutable, numbered snapshot of a workflow's graph, as built and deployed.

    ``build_options`` holds what the build used besides the graph, so that any machine can
    compile the same bytes again: ``{"children": {name: {"workflow_type", "task_queue"}}}``
    (see ``core.compiler.build_options``); ``{}`` for versions built before it was kept.
    ``rollback_of`` is the number of the version a rollback made this one from (None when
    a deploy of the draft made it, and for versions made before it was kept).
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
    rollback_of: int | None = None


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
    owner: str | None = None
    #: Other task queues its steps run activities on -> the activities run there, sorted.
    step_queues: dict[str, list[str]] = field(default_factory=dict)

    @property
    def queues(self) -> tuple[str, ...]:
        """Every queue whose workers load its code: its own, then its steps' (sorted)."""
        return (self.task_queue, *sorted(self.step_queues))


@dataclass(frozen=True)
class ExecutionRecord:
    """The database's mirror of one Temporal run.

    ``workflow_id`` and ``run_id`` are Temporal's; ``definition_id`` points at the
    Workflow Builder workflow the run was started from, when known. Input and result are
    size-capped JSON previews; ``failed_node_id`` names the step a failed run failed at.
    ``details_synced`` says whether the previews and failed step were read for the run's
    final state (the run monitor fills them in after it sees a run close).
    """

    id: int
    workflow_id: str
    run_id: str
    workflow_type: str
    definition_id: int | None
    version: int | None
    task_queue: str
    status: ExecutionStatus
    trigger: RunTrigger | None
    start_time: datetime
    close_time: datetime | None
    history_length: int | None
    parent_workflow_id: str | None
    parent_run_id: str | None
    input_preview: str | None
    result_preview: str | None
    error: str | None
    failed_node_id: str | None
    failed_node_label: str | None
    details_synced: bool

    @property
    def closed(self) -> bool:
        """True once the run has finished, whichever way."""
        return self.status is not ExecutionStatus.RUNNING

    @property
    def duration(self) -> timedelta | None:
        """How long the run took (None while it runs)."""
        return None if self.close_time is None else self.close_time - self.start_time


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


@dataclass(frozen=True)
class MonitorState:
    """The run monitor's lease and progress, one row per database.

    Attributes:
        holder: the process holding the lease (None: nobody yet).
        lease_expires_at: when another process may take over.
        started_watermark: runs started before this are known (less a safety overlap).
        closed_watermark: runs closed before this are known (less a safety overlap).
        last_sync_at: when a pass last finished.
        last_error: why the last pass failed, None after a good one.
    """

    holder: str | None
    lease_expires_at: datetime | None
    started_watermark: datetime | None
    closed_watermark: datetime | None
    last_sync_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class AlertRecord:
    """An open alert: what a rule found, since when, and where the console shows its cause.

    Attributes:
        key: names the alert for good: its rule and subject (``failure_rate:orders``).
        rule: the name of the rule that raised it.
        severity: warning or critical.
        title: one line saying what is wrong.
        detail: the figures behind it.
        link: a relative console URL to the runs or workers behind it.
        first_seen: when the rule first held (the alert fired).
        last_seen: the last evaluation that found the rule still holding.
    """

    key: str
    rule: str
    severity: AlertSeverity
    title: str
    detail: str
    link: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class UserRecord:
    """An account as pages may see it: never its password hash.

    Attributes:
        role: the role's name (``viewer``, ``operator``, ``editor``, ``admin``).
        has_password: False for an account made by single sign-on that never got a password.
        locked_until: until when sign-in is refused after repeated failures (None: not locked).
    """

    id: int
    username: str
    role: str
    created_at: datetime
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    last_sign_in: datetime | None
    has_password: bool


@dataclass(frozen=True)
class SessionRecord:
    """A signed-in session and the account it belongs to, as one lookup finds them."""

    id: int
    user: UserRecord
    created_at: datetime
    last_seen: datetime
    expires_at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to what, when, and how it ended.

    Attributes:
        outcome: ``ok``, ``failed`` or ``denied``.
    """

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    outcome: str
    detail: str


@dataclass(frozen=True)
class SecretRecord:
    """A stored secret as anyone may see it: its name and dates, never its value.

    Attributes:
        name: how graphs refer to it (``secret("name")``).
        created_at: when it was created.
        rotated_at: when its value was last replaced, None if never.
        created_by: who created it.
    """

    name: str
    created_at: datetime
    rotated_at: datetime | None
    created_by: str
