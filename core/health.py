"""Health checks shared by ``python -m core health`` and the console's Health page.

Each check says ok, degraded or down, what it found in one line, and the next step to take.
They read only what they need: the database without migrating it, Temporal through a
short-lived client (never starting a server), the worker registry, the schedules and the run
monitor's row. The app passes its own Temporal client instead (:func:`check_health`'s
``temporal``).
"""

from __future__ import annotations

import asyncio
import enum
import gc
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

from core.config import Settings
from core.db import Database, DeploymentStatus, WorkerStatus
from core.errors import WorkflowBuilderError
from core.schedules import ScheduleService, TemporalCaller
from core.temporal.connection import connect
from core.temporal.dev_server import port_in_use

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds a Temporal call of a check may take before Temporal counts as unreachable.
TEMPORAL_TIMEOUT = 3.0
#: The run monitor passes about every second; older than this it is behind.
MONITOR_LAG_LIMIT = timedelta(seconds=60)
# A worker whose heartbeat is older than this many intervals is not counted as live.
_MISSED_HEARTBEATS = 3


class Status(enum.StrEnum):
    """How a check, or the whole system, is doing; the exit code of ``health`` follows it."""

    OK = "ok"
    DEGRADED = "degraded"
    DOWN = "down"

    @property
    def exit_code(self) -> int:
        """0 healthy, 1 degraded, 2 down."""
        return {Status.OK: 0, Status.DEGRADED: 1, Status.DOWN: 2}[self]


@dataclass(frozen=True)
class Check:
    """One check's outcome.

    Attributes:
        name: what was checked (``database``, ``temporal``, ``workers``, ``schedules``,
            ``run monitor``).
        status: ok, degraded or down.
        finding: what was found, in one line.
        next_step: what to do about it (empty when nothing needs doing).
    """

    name: str
    status: Status
    finding: str
    next_step: str = ""


@dataclass(frozen=True)
class HealthReport:
    """Every check, in a fixed order; the overall status is the worst of them."""

    checks: tuple[Check, ...]

    @property
    def status(self) -> Status:
        """Down if any check is down, else degraded if any is, else ok."""
        found = {check.status for check in self.checks}
        return next((s for s in (Status.DOWN, Status.DEGRADED) if s in found), Status.OK)


def check_health(
    settings: Settings,
    *,
    database: Database | None = None,
    temporal: TemporalCaller | None = None,
    now: datetime | None = None,
) -> HealthReport:
    """Run every check.

    Args:
        settings: what to check (database URL, Temporal address, heartbeat interval).
        database: an open database to use; None opens one (without migrating) and closes it.
        temporal: a connected client to use (the app's gateway); None connects a short-lived
            one, or finds the embedded server down when ``TEMPORAL_ADDRESS`` is unset and the
            app's server is not up (a check never starts one).
        now: the current time (tests pass their own).
    """
    now = now or datetime.now(UTC)
    own_database = database is None
    db_check, db = _check_database(settings, database)
    own_gateway = temporal is None
    temporal_check, caller = _check_temporal(settings, temporal)
    try:
        checks = [db_check, temporal_check]
        for name, check in _DATABASE_CHECKS:
            if db is None or db_check.status is not Status.OK:
                checks.append(
                    Check(name, db_check.status, "not checked: the database is not ready")
                )
                continue
            try:
                checks.append(check(settings, db, caller, now))
            except SQLAlchemyError as error:  # the database went away or broke mid-check
                checks.append(
                    Check(name, Status.DOWN, f"cannot read the database: {_first_line(error)}")
                )
        return HealthReport(tuple(checks))
    finally:
        if own_gateway and isinstance(caller, _OwnClient):
            caller.close()
        if own_database and db is not None:
            db.close()


def _check_database(settings: Settings, database: Database | None) -> tuple[Check, Database | None]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from core.db.migrate import alembic_config

    name = _database_name(settings)
    missing = _missing_sqlite_file(settings) if database is None else None
    if missing is not None:
        # Opening it would create an empty file: say so instead.
        return (
            Check(
                "database",
                Status.DOWN,
                f"no database file at {missing}",
                "start the app once (it creates and migrates the database), or check "
                "DATABASE_URL and WB_DATA_DIR",
            ),
            None,
        )
    db = database
    try:
        if db is None:
            db = Database.open(settings.database_url, run_migrations=False)
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
            head = set(ScriptDirectory.from_config(alembic_config(connection)).get_heads())
    except (SQLAlchemyError, WorkflowBuilderError) as error:
        if database is None and db is not None:
            db.close()
        return (
            Check(
                "database",
                Status.DOWN,
                f"{name} does not answer: {_first_line(getattr(error, 'orig', None) or error)}",
                "check DATABASE_URL and that the database server is running",
            ),
            None,
        )
    if current == head:
        return Check("database", Status.OK, f"{name} answers; schema at {_ids(head)}"), db
    return (
        Check(
            "database",
            Status.DEGRADED,
            f"{name} answers but its schema is at {_ids(current) or 'nothing'}, not {_ids(head)}",
            "start the app or a worker of this version once: either migrates the database",
        ),
        db,
    )


def _check_temporal(
    settings: Settings, temporal: TemporalCaller | None
) -> tuple[Check, TemporalCaller | None]:
    namespace = settings.temporal_namespace
    address = settings.temporal_address
    if temporal is None:
        if address is None:
            port = settings.temporal_dev_port
            if not port_in_use(port):
                return (
                    Check(
                        "temporal",
                        Status.DOWN,
                        f"the embedded Temporal server is not running (port {port})",
                        "start the app (./wb app; it starts the server on first use) or "
                        "python -m core server, or set TEMPORAL_ADDRESS",
                    ),
                    None,
                )
            address = f"127.0.0.1:{port}"
        try:
            temporal = _OwnClient(_with_address(settings, address))
        except (WorkflowBuilderError, TimeoutError) as error:
            return _temporal_down(address, error), None
    try:
        request = DescribeNamespaceRequest(namespace=namespace)
        client = temporal.client
        temporal.call(
            client.workflow_service.describe_namespace(
                request, timeout=timedelta(seconds=TEMPORAL_TIMEOUT)
            ),
            TEMPORAL_TIMEOUT + 1,
        )
    except (RPCError, WorkflowBuilderError, TimeoutError) as error:
        return _temporal_down(address, error), temporal
    where = address or "the app's server"
    return Check("temporal", Status.OK, f"{where} answers; namespace {namespace} exists"), temporal


def _temporal_down(address: str | None, error: Exception) -> Check:
    reason = str(error) or f"no answer within {TEMPORAL_TIMEOUT:g} s"
    return Check(
        "temporal",
        Status.DOWN,
        f"Temporal at {address} cannot be used: {reason}".replace("\n", " "),
        "check that the server runs and TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and TLS settings",
    )


def _check_workers(
    settings: Settings, db: Database, caller: TemporalCaller | None, now: datetime
) -> Check:
    active = db.deployments.find(statuses=[DeploymentStatus.ACTIVE])
    queues = sorted({queue for deployment in active for queue in deployment.queues})  # + steps
    if not queues:
        return Check("workers", Status.OK, "nothing is deployed, so no worker is needed")
    fresh = now - timedelta(seconds=settings.worker_heartbeat_seconds * _MISSED_HEARTBEATS)
    live = {WorkerStatus.STARTING, WorkerStatus.RUNNING}
    served = {
        worker.task_queue
        for worker in db.workers.find(statuses=live)
        if (worker.last_heartbeat or worker.started_at) >= fresh
    }
    idle = [queue for queue in queues if queue not in served]
    if not idle:
        return Check(
            "workers", Status.OK, f"every deployed task queue has a live worker ({len(queues)})"
        )
    return Check(
        "workers",
        Status.DEGRADED,
        f"no live worker on {len(idle)} of {len(queues)} deployed task queues: " + ", ".join(idle),
        "start the app (it serves every deployed queue but those in WB_STANDALONE_QUEUES) or "
        f"python -m core worker --task-queue {idle[0]}; the Workers page shows why a worker "
        "stopped",
    )


def _check_schedules(
    settings: Settings, db: Database, caller: TemporalCaller | None, now: datetime
) -> Check:
    recorded = db.schedules.find()
    if not recorded:
        return Check("schedules", Status.OK, "no schedules")
    if caller is None:
        return Check("schedules", Status.DOWN, "not checked: Temporal cannot be reached")
    service = ScheduleService(db, caller)
    problems = []
    for schedule in recorded:
        try:
            name = db.workflows.get(schedule.workflow_id, include_deleted=True).name
            status = service.status(name)
        except (WorkflowBuilderError, TimeoutError) as error:
            problems.append(f"{schedule.schedule_id}: {error}")
            continue
        if status is None:
            problems.append(f"{schedule.schedule_id} is missing in Temporal")
        elif status.paused != schedule.paused:
            said = "paused" if schedule.paused else "running"
            problems.append(f"{schedule.schedule_id} is {said} here but not in Temporal")
    if not problems:
        return Check("schedules", Status.OK, f"{len(recorded)} schedules match Temporal")
    return Check(
        "schedules",
        Status.DEGRADED,
        "; ".join(problems),
        "restart the app (it restores schedules from the database at start), or pause or "
        "resume the schedule from its workflow's Run tab",
    )


def _check_monitor(
    settings: Settings, db: Database, caller: TemporalCaller | None, now: datetime
) -> Check:
    state = db.monitor.state("runs")
    start = "start the app or a standalone worker: either runs the run monitor"
    if state is None or state.last_sync_at is None:
        return Check("run monitor", Status.DEGRADED, "the run monitor has never run", start)
    age = now - state.last_sync_at
    if age > MONITOR_LAG_LIMIT:
        return Check(
            "run monitor",
            Status.DEGRADED,
            f"last pass {_seconds(age)} ago (holder {state.holder or 'none'}): run records "
            "are behind",
            start,
        )
    if state.last_error:
        return Check(
            "run monitor",
            Status.DEGRADED,
            f"last pass {_seconds(age)} ago failed: {state.last_error}".replace("\n", " "),
            "check that Temporal answers; the monitor retries every pass",
        )
    return Check("run monitor", Status.OK, f"last pass {_seconds(age)} ago")


class _OwnClient:
    """A short-lived client on an event loop of the calling thread: a check from the command
    line needs no thread of its own (nor the time to stop one)."""

    def __init__(self, settings: Settings) -> None:
        self._loop = asyncio.new_event_loop()
        self._client: Client | None = None
        try:
            self._client = self.call(connect(settings))
        except BaseException:
            self._loop.close()
            raise

    @property
    def client(self) -> Client:
        assert self._client is not None, "used after close()"
        return self._client

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        return self._loop.run_until_complete(asyncio.wait_for(coro, timeout or TEMPORAL_TIMEOUT))

    def close(self) -> None:
        self._client = None
        # Free the SDK's native handles before the loop goes (RECIPES.md section 7).
        gc.collect()
        self._loop.close()


# The checks that read the database, in the order they are reported.
_DatabaseCheck = Callable[[Settings, Database, TemporalCaller | None, datetime], Check]
_DATABASE_CHECKS: tuple[tuple[str, _DatabaseCheck], ...] = (
    ("workers", _check_workers),
    ("schedules", _check_schedules),
    ("run monitor", _check_monitor),
)


def _missing_sqlite_file(settings: Settings) -> Path | None:
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.exists() else path


def _first_line(error: object) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _with_address(settings: Settings, address: str) -> Settings:
    import dataclasses

    return dataclasses.replace(settings, temporal_address=address)


def _database_name(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    return f"{url.get_backend_name()} database {url.database or ''}".rstrip()


def _ids(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions))


def _seconds(age: timedelta) -> str:
    seconds = max(age.total_seconds(), 0.0)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
