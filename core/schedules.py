"""Cron triggers as Temporal schedules: one per workflow, aimed at the version serving new runs.

A start node with a cron trigger makes its workflow run on that schedule once deployed. The
schedule lives in Temporal (which fires it even while the app is down) under
``<workflow name>-schedule``; each deploy or rollback re-aims it at the type and task queue of
the version it activates, and a deploy whose trigger is manual removes it. The database keeps a
copy (``schedules``, with the paused state), from which the app restores at start any schedule
Temporal lost (a reset server). Runs start with no input, so the input fields' defaults apply;
Temporal's default overlap policy skips a firing while the previous scheduled run is still
open ("Run now" starts its run even then). Cron expressions are read in UTC.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleDescription,
    ScheduleOverlapPolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from core.auth import SYSTEM, Actor, Role, action, reads
from core.db import Database, DeploymentStatus, RecordNotFoundError
from core.errors import WorkflowBuilderError
from core.executions import RunRef, execution_timeout

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: How many upcoming firing times a schedule's status lists.
UPCOMING = 3
#: How long "Run now" waits for Temporal to report the run it started.
FIRED_RUN_TIMEOUT_S = 10.0
_FIRED_RUN_POLL_S = 0.1


class ScheduleError(WorkflowBuilderError):
    """Temporal refused to create, change or remove a workflow's schedule.

    Attributes:
        workflow: the workflow's name.
        reason: Temporal's message (for example why a cron expression is invalid).
    """

    def __init__(self, reason: str, *, workflow: str) -> None:
        self.workflow = workflow
        self.reason = reason
        super().__init__(f"schedule of workflow {workflow!r}: {reason}")


class TemporalCaller(Protocol):
    """A client plus the loop it belongs to (``TemporalGateway`` and ``WorkerHost`` are)."""

    @property
    def client(self) -> Client:
        """The connected client."""
        ...

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the client's loop and return its result."""
        ...


@dataclass(frozen=True)
class ScheduleTarget:
    """What a workflow's schedule should start, from its active deployment."""

    workflow_name: str
    workflow_type: str
    task_queue: str
    cron: str | None  # None: the trigger is manual, so no schedule
    run_timeout: timedelta | None = None  # each scheduled run's execution timeout


@dataclass(frozen=True)
class ScheduleStatus:
    """A workflow's schedule as Temporal reports it now."""

    schedule_id: str
    cron: str
    workflow_type: str
    paused: bool
    upcoming: tuple[datetime, ...]
    fired: int  # runs started so far
    recent_runs: tuple[tuple[str, str], ...]  # (workflow id, run id), oldest first


def cron_of(document: Mapping[str, Any]) -> str | None:
    """The cron expression of a valid graph document's start trigger (None when manual)."""
    start = next(node for node in document["nodes"] if node["type"] == "start")
    trigger = start.get("params", {}).get("trigger") or {}
    return trigger.get("cron") if trigger.get("kind") == "cron" else None


def schedule_id(workflow_name: str) -> str:
    """The Temporal schedule id of a workflow (its name is unique and never changes)."""
    return f"{workflow_name}-schedule"


def apply_schedule(
    temporal: TemporalCaller, database: Database, *, workflow_id: int, target: ScheduleTarget
) -> str:
    """Create, re-aim or remove the workflow's schedule to match ``target``; say what changed.

    A schedule that already exists keeps its paused state and policies; only what it starts
    and when change.

    Raises:
        ScheduleError: Temporal refused (for example an invalid cron expression).
    """
    sid = schedule_id(target.workflow_name)
    try:
        if target.cron is None:
            removed = temporal.call(_remove(temporal.client, sid))
            _forget(database, sid)
            return "the schedule was removed (the trigger is manual)" if removed else ""
        created = temporal.call(
            _create_or_update(temporal.client, sid, target, paused=_recorded_paused(database, sid))
        )
    except RPCError as error:
        raise ScheduleError(error.message, workflow=target.workflow_name) from error
    _remember(database, sid, workflow_id=workflow_id, cron=target.cron)
    verb = "created" if created else "now starts"
    return f"schedule {target.cron!r} (UTC) {verb} {target.workflow_type}"


def restore_schedules(
    temporal: TemporalCaller, database: Database, *, default_run_timeout: timedelta | None = None
) -> int:
    """Make Temporal's schedules match the active deployments; how many were set up.

    Run when the app starts: a Temporal whose data was reset (say the embedded server's
    file was deleted) would otherwise never fire the schedules the database says exist.
    A schedule that is already right is only re-aimed at the same version.
    """
    count = 0
    for deployment in database.deployments.find(statuses=[DeploymentStatus.ACTIVE]):
        try:
            workflow = database.workflows.get(deployment.workflow_id)
        except RecordNotFoundError:
            continue  # deleted: its schedule went with it
        version = database.versions.get_by_id(deployment.version_id)
        target = ScheduleTarget(
            workflow_name=workflow.name,
            workflow_type=deployment.workflow_type,
            task_queue=deployment.task_queue,
            cron=cron_of(version.graph),
            run_timeout=execution_timeout(
                version.graph["workflow"].get("run_timeout"), default=default_run_timeout
            ),
        )
        if target.cron is None:
            continue
        try:
            apply_schedule(temporal, database, workflow_id=deployment.workflow_id, target=target)
            count += 1
        except Exception:  # one bad schedule must not keep the app from starting
            logger.exception("could not restore %s", schedule_id(target.workflow_name))
    return count


class ScheduleService:
    """A workflow's schedule for the pages: its status, pause and resume, fire it now.

    Args:
        database: where schedules are recorded.
        temporal: the client to reach Temporal through.
    """

    actor: Actor = SYSTEM

    def __init__(self, database: Database, temporal: TemporalCaller) -> None:
        self._db = database
        self._temporal = temporal

    @reads
    def status(self, workflow_name: str) -> ScheduleStatus | None:
        """The workflow's schedule now, or None when it has none."""
        sid = schedule_id(workflow_name)

        async def describe() -> ScheduleStatus | None:
            try:
                found = await self._temporal.client.get_schedule_handle(sid).describe()
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return None
                raise
            schedule, info = found.schedule, found.info
            action = schedule.action
            assert isinstance(action, ScheduleActionStartWorkflow)  # the only kind created
            return ScheduleStatus(
                schedule_id=sid,
                cron=self._recorded_cron(sid),
                workflow_type=action.workflow,
                paused=schedule.state.paused,
                upcoming=tuple(info.next_action_times[:UPCOMING]),
                fired=info.num_actions,
                recent_runs=tuple((ref.workflow_id, ref.run_id) for ref in _started_runs(found)),
            )

        return self._ask(workflow_name, describe())

    @action(Role.OPERATOR)
    def pause(self, workflow_name: str, *, note: str = "paused from Workflow Builder") -> None:
        """Stop firing until resumed (runs already started go on)."""
        handle = self._temporal.client.get_schedule_handle(schedule_id(workflow_name))
        self._ask(workflow_name, handle.pause(note=note))
        self._set_paused(workflow_name, True)

    @action(Role.OPERATOR)
    def resume(self, workflow_name: str) -> None:
        """Fire on the cron expression again."""
        handle = self._temporal.client.get_schedule_handle(schedule_id(workflow_name))
        self._ask(workflow_name, handle.unpause(note="resumed from Workflow Builder"))
        self._set_paused(workflow_name, False)

    @action(Role.ADMIN)
    def remove(self, workflow_name: str) -> None:
        """Delete the workflow's schedule (nothing happens when it has none)."""
        sid = schedule_id(workflow_name)
        self._ask(workflow_name, _remove(self._temporal.client, sid))
        _forget(self._db, sid)

    @action(Role.OPERATOR)
    def fire_now(self, workflow_name: str) -> RunRef | None:
        """Start one scheduled run at once (it counts as a scheduled run), even while an
        earlier one is open; return it once Temporal reports it, or None if that takes over
        ``FIRED_RUN_TIMEOUT_S`` (the run still shows among the runs when it starts)."""
        handle = self._temporal.client.get_schedule_handle(schedule_id(workflow_name))

        async def fire() -> RunRef | None:
            before = _started_runs(await handle.describe())
            await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
            deadline = time.monotonic() + FIRED_RUN_TIMEOUT_S
            while time.monotonic() < deadline:
                found = await handle.describe()
                new = [ref for ref in _started_runs(found) if ref not in before]
                if new:
                    return new[-1]
                await asyncio.sleep(_FIRED_RUN_POLL_S)
            return None

        return self._ask(workflow_name, fire())

    def _ask(self, workflow_name: str, coro: Coroutine[Any, Any, T]) -> T:
        try:
            return self._temporal.call(coro)
        except RPCError as error:
            raise ScheduleError(error.message, workflow=workflow_name) from error

    def _recorded_cron(self, sid: str) -> str:
        # Temporal keeps a cron expression only as the calendar it parsed it into.
        try:
            return self._db.schedules.get(sid).cron
        except RecordNotFoundError:
            return ""

    def _set_paused(self, workflow_name: str, paused: bool) -> None:
        try:
            self._db.schedules.set_paused(schedule_id(workflow_name), paused)
        except RecordNotFoundError:
            logger.warning("schedule of %s is not recorded in the database", workflow_name)


def _started_runs(found: ScheduleDescription) -> list[RunRef]:
    """The runs a schedule started lately (Temporal keeps the last few), oldest first."""
    action = found.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)  # the only kind created
    return [
        RunRef(
            workflow_id=result.action.workflow_id,
            run_id=result.action.first_execution_run_id,
            workflow_type=action.workflow,
            task_queue=action.task_queue or "",
        )
        for result in found.info.recent_actions
        if isinstance(result.action, ScheduleActionExecutionStartWorkflow)
    ]


async def _create_or_update(
    client: Client, sid: str, target: ScheduleTarget, *, paused: bool
) -> bool:
    """Create the schedule (``paused`` or not), or re-aim the existing one, which keeps its
    own state; True when it was created."""
    assert target.cron is not None
    action = ScheduleActionStartWorkflow(
        target.workflow_type,
        # Temporal appends each firing's time to this workflow id.
        id=f"{target.workflow_name}-scheduled",
        task_queue=target.task_queue,
        execution_timeout=target.run_timeout,
    )
    spec = ScheduleSpec(cron_expressions=[target.cron])
    try:
        state = ScheduleState(paused=paused, note="paused in Workflow Builder" if paused else None)
        await client.create_schedule(sid, Schedule(action=action, spec=spec, state=state))
        return True
    except ScheduleAlreadyRunningError:
        pass

    def reaim(current: ScheduleUpdateInput) -> ScheduleUpdate:
        schedule = dataclasses.replace(current.description.schedule, action=action, spec=spec)
        return ScheduleUpdate(schedule=schedule)

    await client.get_schedule_handle(sid).update(reaim)
    return False


async def _remove(client: Client, sid: str) -> bool:
    """Delete the schedule if there is one; True when there was."""
    try:
        await client.get_schedule_handle(sid).delete()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


def _recorded_paused(database: Database, sid: str) -> bool:
    """Whether the database has the schedule as paused (what a re-created one starts as)."""
    try:
        return database.schedules.get(sid).paused
    except RecordNotFoundError:
        return False


def _remember(database: Database, sid: str, *, workflow_id: int, cron: str) -> None:
    try:
        database.schedules.update(sid, cron=cron, input=None)
    except RecordNotFoundError:
        database.schedules.create(schedule_id=sid, workflow_id=workflow_id, cron=cron)


def _forget(database: Database, sid: str) -> None:
    with contextlib.suppress(RecordNotFoundError):
        database.schedules.delete(sid)
