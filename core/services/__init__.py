"""The facade the pages call: one :class:`AppServices` per process, built from settings."""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from core.activities import ActivityRegistry, load_registry
from core.alerts import Alert, AlertEvaluator, start_alerts
from core.auth import SYSTEM, Actor
from core.auth.accounts import AccountService, SessionPolicy
from core.auth.audit import AuditLog
from core.config import Settings
from core.dashboard import DashboardService
from core.db import Database, DeploymentStatus
from core.deploy import DeployService
from core.deploy.recovery import recover_interrupted_deploys
from core.executions import RunService
from core.fleet import FleetError, FleetService, WorkerManager, queues_to_serve
from core.health import HealthReport, check_health
from core.metrics import MetricsServer, serve_metrics
from core.rate_limit import RateLimiter
from core.runs import MonitorSettings, RunMonitor, RunsConsole, RunTracer
from core.runtime import BundleStore
from core.schedules import ScheduleService, restore_schedules
from core.secrets import SecretBox, SecretService, load_key
from core.services.acting import UserServices
from core.services.workflows import ChildPreview, DraftCheck, WorkflowService, blank_document
from core.temporal import TemporalEndpoint, attach_temporal, ensure_temporal
from core.temporal.gateway import TemporalGateway

logger = logging.getLogger(__name__)

__all__ = [
    "AppServices",
    "ChildPreview",
    "ConsoleServices",
    "DraftCheck",
    "TemporalServices",
    "UserServices",
    "WorkflowService",
    "blank_document",
    "build_console",
    "build_services",
]


@dataclass(frozen=True)
class TemporalServices:
    """The parts that need a Temporal server: workers, deploys and runs."""

    endpoint: TemporalEndpoint
    gateway: TemporalGateway
    manager: WorkerManager
    fleet: FleetService
    deploy: DeployService
    runs: RunService
    schedules: ScheduleService
    console: RunsConsole
    monitor: RunMonitor
    alerts: AlertEvaluator

    def close(self) -> None:
        """Stop the alerts and the monitor, the workers (marked stopped), the gateway, then the
        server."""
        self.alerts.stop()
        self.monitor.stop()
        self.manager.close()
        self.gateway.close()
        self.endpoint.stop()


class AppServices:
    """Everything a page needs, built once per process (``get_services`` in pages/widgets).

    The database and workflow drafts are ready at once; Temporal (the embedded dev server when
    ``TEMPORAL_ADDRESS`` is unset, the worker fleet, deploys and runs) starts on first use, so
    pages that only edit drafts never wait for it.
    """

    def __init__(
        self,
        settings: Settings,
        database: Database,
        registry: ActivityRegistry,
        *,
        metrics: MetricsServer | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.registry = registry
        self.metrics = metrics
        self.workflows = WorkflowService(database, registry)
        # On first start this creates the key file; workers read the same key later.
        self.secrets = SecretService(database, SecretBox(load_key(settings, create=True)))
        self.audit = AuditLog(database)
        self.accounts = AccountService(
            database, self.audit, policy=SessionPolicy.from_settings(settings)
        )
        self._temporal: TemporalServices | None = None
        self._lock = threading.Lock()

    @property
    def temporal(self) -> TemporalServices:
        """The Temporal side, started on first use (thread-safe).

        Raises:
            EmbeddedServerError: the embedded server could not start.
            TemporalConnectionError: the configured cluster cannot be reached.
        """
        with self._lock:
            if self._temporal is None:
                self._temporal = _start_temporal(self.settings, self.database, self.registry)
            return self._temporal

    @property
    def temporal_started(self) -> bool:
        """Whether the Temporal side has been started (pages show its state without starting it)."""
        return self._temporal is not None

    @property
    def fleet(self) -> FleetService:
        """Workers and task queues."""
        return self.temporal.fleet

    @property
    def deploy(self) -> DeployService:
        """Versions, deploys, rollback, diff and export."""
        return self.temporal.deploy

    @property
    def runs(self) -> RunService:
        """Starting and following runs."""
        return self.temporal.runs

    @property
    def schedules(self) -> ScheduleService:
        """Cron schedules: status, pause, resume, fire now."""
        return self.temporal.schedules

    @property
    def dashboard(self) -> DashboardService:
        """Dashboard figures; queue loads and schedules only once Temporal has started."""
        started = self._temporal
        return DashboardService(self.database, started.gateway if started else None)

    @property
    def console(self) -> RunsConsole:
        """Runs across workflows: list, detail, cancel, terminate, reset, rerun."""
        return self.temporal.console

    def health(self) -> HealthReport:
        """Every health check (``core.health``), through the app's own Temporal client once
        Temporal has started; before that, Temporal is checked as the command line does."""
        started = self._temporal
        if started is None:
            return check_health(self.settings, database=self.database)
        return check_health(
            started.endpoint.settings, database=self.database, temporal=started.gateway
        )

    def open_alerts(self) -> list[Alert] | None:
        """The open alerts, critical first: one database read for the banner on every page
        (the rules are evaluated elsewhere, see ``core.alerts``); Temporal is not started.

        None when the database cannot be read: the banner then stays away and the page itself
        says what is wrong, if it needs the database at all.
        """
        try:
            return self.database.alerts.open()
        except SQLAlchemyError as error:
            logger.warning("could not read the open alerts: %s", error)
            return None

    def for_actor(self, actor: Actor) -> UserServices:
        """These services acting for ``actor``: every action checked against their role and
        recorded in their audit sink (what pages use, see ``pages/widgets/services.py``)."""
        return UserServices(self, actor)

    def delete_workflow(self, workflow_id: int) -> None:
        """Hide a workflow, acting as the process itself (see ``UserServices.delete_workflow``)."""
        self.for_actor(SYSTEM).delete_workflow(workflow_id)

    def close(self) -> None:
        """Stop Temporal's side if it started, then release the database."""
        with self._lock:
            if self._temporal is not None:
                self._temporal.close()
                self._temporal = None
        if self.metrics is not None:
            self.metrics.close()
        self.database.close()


@dataclass(frozen=True)
class ConsoleServices:
    """The runs console alone, for command-line tools: no workers, no run monitor, no
    schedules restored; it attaches to the app's embedded server when that is up."""

    database: Database
    endpoint: TemporalEndpoint
    gateway: TemporalGateway
    console: RunsConsole

    def close(self) -> None:
        """Drop the client, stop an embedded server started for this, close the database."""
        self.gateway.close()
        self.endpoint.stop()
        self.database.close()


def build_console(settings: Settings) -> ConsoleServices:
    """The runs console over the configured database and Temporal.

    Raises:
        WorkflowBuilderError: the database, or Temporal, cannot be reached.
    """
    database = Database.open(settings.database_url)
    try:
        endpoint = attach_temporal(settings)
    except BaseException:
        database.close()
        raise
    try:
        gateway = TemporalGateway(endpoint.settings)
    except BaseException:
        endpoint.stop()
        database.close()
        raise
    registry = load_registry(settings.activity_modules)
    tracer = RunTracer(database, BundleStore(settings.deploy_dir), registry)
    console = RunsConsole(database, gateway, tracer, RunService(database, gateway))
    return ConsoleServices(database, endpoint, gateway, console)


def build_services(settings: Settings) -> AppServices:
    """Open the database (migrating it), load the activity registry, wire the services,
    create the ``WB_ADMIN_USER`` account when no account exists, and serve Prometheus metrics
    when ``WB_METRICS_ADDRESS`` is set.

    Raises:
        WorkflowBuilderError: the database cannot be opened, the admin variables are unusable,
            or the metrics address is taken.
    """
    database = Database.open(settings.database_url)
    try:
        registry = load_registry(settings.activity_modules)
        # Before Temporal starts: temporalio's runtime is fixed when a client connects.
        metrics = serve_metrics(settings, database)
    except BaseException:
        database.close()
        raise
    services = AppServices(settings, database, registry, metrics=metrics)
    try:
        services.accounts.bootstrap(settings)
    except BaseException:
        services.close()
        raise
    logger.info("services ready (database %s)", database.engine.url.render_as_string())
    return services


def _start_temporal(
    settings: Settings, database: Database, registry: ActivityRegistry
) -> TemporalServices:
    # A step that fails must not leave the earlier ones running (a server holding its port,
    # threads heartbeating for workers nobody serves): each started part is stopped again,
    # newest first, as TemporalServices.close does, unless every step succeeded.
    with contextlib.ExitStack() as started:
        endpoint = ensure_temporal(settings)
        started.callback(endpoint.stop)
        gateway = TemporalGateway(endpoint.settings)
        started.callback(gateway.close)
        manager = WorkerManager(
            endpoint.settings,
            database,
            registry=registry,
            standalone_queues=settings.standalone_queues,
        )
        started.callback(manager.close)
        # Before serving and restoring schedules: both then leave out what a killed deploy began.
        recover_interrupted_deploys(database)
        _serve_deployed_queues(database, manager)
        restore_schedules(gateway, database, default_run_timeout=settings.default_run_timeout)
        runs = RunService(
            database,
            gateway,
            limiter=RateLimiter(settings.run_starts_per_minute),
            default_run_timeout=settings.default_run_timeout,
            local_workers=manager.host_serving,
        )
        tracer = RunTracer(database, BundleStore(settings.deploy_dir), registry)
        monitor = RunMonitor(database, gateway, tracer, MonitorSettings.from_settings(settings))
        monitor.start()
        started.callback(monitor.stop)
        services = TemporalServices(
            endpoint=endpoint,
            gateway=gateway,
            manager=manager,
            fleet=FleetService(database, manager),
            deploy=DeployService(database, manager, registry, endpoint.settings),
            runs=runs,
            schedules=ScheduleService(database, gateway),
            console=RunsConsole(database, gateway, tracer, runs),
            monitor=monitor,
            alerts=start_alerts(settings, database, gateway, monitor.holder),
        )
        started.pop_all()
    return services


def _serve_deployed_queues(database: Database, manager: WorkerManager) -> None:
    """Start the workers of every queue with deployed code, workflows' and steps' (what this
    process serves)."""
    for queue in queues_to_serve(database, (DeploymentStatus.ACTIVE, DeploymentStatus.DRAINING)):
        try:
            manager.apply_queue(queue)
        except FleetError as error:  # one broken queue must not keep the others down
            logger.error("could not start the workers of %s: %s", queue, error)
