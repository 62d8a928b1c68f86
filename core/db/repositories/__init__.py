"""Repositories: small classes that read and write one kind of record and return frozen values."""

from core.db.repositories.accounts import SessionRepository, UserRepository
from core.db.repositories.alerts import AlertChanges, AlertFinding, AlertRepository
from core.db.repositories.analytics import (
    AnalyticsRepository,
    Durations,
    FailingStep,
    Scope,
    StatusBucket,
    StepUse,
    WorkflowCounts,
    buckets_between,
)
from core.db.repositories.audit import AuditFilter, AuditRepository
from core.db.repositories.deployments import DEPLOYMENT_TRANSITIONS, DeploymentRepository
from core.db.repositories.executions import (
    PREVIEW_CHARS,
    ExecutionFilter,
    ExecutionRepository,
    ExecutionSort,
    ObservedRun,
    RunDetails,
    StepFigures,
    preview,
)
from core.db.repositories.monitor import MonitorRepository
from core.db.repositories.schedules import ScheduleRepository
from core.db.repositories.secrets import SecretRepository
from core.db.repositories.task_queues import TaskQueueRepository
from core.db.repositories.versions import VersionRepository
from core.db.repositories.workers import WORKER_TRANSITIONS, WorkerRepository
from core.db.repositories.workflows import WorkflowRepository

__all__ = [
    "AuditFilter",
    "AuditRepository",
    "SessionRepository",
    "UserRepository",
    "AlertChanges",
    "AlertFinding",
    "AlertRepository",
    "AnalyticsRepository",
    "Durations",
    "FailingStep",
    "Scope",
    "StatusBucket",
    "StepUse",
    "WorkflowCounts",
    "buckets_between",
    "PREVIEW_CHARS",
    "DEPLOYMENT_TRANSITIONS",
    "WORKER_TRANSITIONS",
    "DeploymentRepository",
    "ExecutionFilter",
    "ExecutionRepository",
    "ExecutionSort",
    "MonitorRepository",
    "ObservedRun",
    "RunDetails",
    "StepFigures",
    "ScheduleRepository",
    "SecretRepository",
    "TaskQueueRepository",
    "VersionRepository",
    "WorkerRepository",
    "WorkflowRepository",
    "preview",
]
