"""One object per process holding the engine and a repository of each kind."""

from __future__ import annotations

import logging
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from core.db.engine import create_engine_for, make_session_factory
from core.db.migrate import migrate
from core.db.repositories import (
    AlertRepository,
    AnalyticsRepository,
    AuditRepository,
    DeploymentRepository,
    ExecutionRepository,
    MonitorRepository,
    ScheduleRepository,
    SecretRepository,
    SessionRepository,
    TaskQueueRepository,
    UserRepository,
    VersionRepository,
    WorkerRepository,
    WorkflowRepository,
)

logger = logging.getLogger(__name__)


class Database:
    """The app's database: its engine and repositories sharing one session factory.

    Args:
        engine: an engine from ``create_engine_for``; ``close`` disposes of it.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sessions = make_session_factory(engine)
        self.workflows = WorkflowRepository(sessions)
        self.versions = VersionRepository(sessions)
        self.task_queues = TaskQueueRepository(sessions)
        self.workers = WorkerRepository(sessions)
        self.deployments = DeploymentRepository(sessions)
        self.executions = ExecutionRepository(sessions)
        self.schedules = ScheduleRepository(sessions)
        self.monitor = MonitorRepository(sessions)
        self.analytics = AnalyticsRepository(sessions)
        self.alerts = AlertRepository(sessions)
        self.users = UserRepository(sessions)
        self.sessions = SessionRepository(sessions)
        self.audit = AuditRepository(sessions)
        self.secrets = SecretRepository(sessions)

    @classmethod
    def open(cls, url: str | URL, *, run_migrations: bool = True) -> Database:
        """Connect to ``url`` and, unless told otherwise, migrate it to the newest schema."""
        engine = create_engine_for(url)
        if run_migrations:
            migrate(engine)
        return cls(engine)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
