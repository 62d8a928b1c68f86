"""Runs of deployed workflows: input checks, start, status and result, signals and queries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from temporalio.client import (
    Client,
    WorkflowContinuedAsNewError,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowHistoryEventFilterType,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
)
from temporalio.service import RPCError

from core.auth import SYSTEM, Actor, Role, action, reads
from core.db import (
    Database,
    ExecutionFilter,
    ExecutionRecord,
    ExecutionStatus,
    RunTrigger,
    preview,
)
from core.errors import WorkflowBuilderError, causes
from core.graph import (
    Graph,
    InputField,
    SignalDecl,
    UpdateDecl,
    WorkflowMeta,
    graph_from_dict,
    input_fields_from_json,
)
from core.graph.values import parse_duration, value_has_type
from core.limits import check_payload, require_object
from core.metrics import RUNS_STARTED
from core.rate_limit import RateLimiter
from core.temporal.gateway import TemporalGateway

if TYPE_CHECKING:
    from core.runtime import WorkerHost

logger = logging.getLogger(__name__)

#: Memo key set on runs the console starts, so the run monitor tells them from external ones.
TRIGGER_MEMO = "wb_trigger"

#: Seconds a run start may take (beyond any wait for its result) before it is given up.
START_TIMEOUT_S = 60.0

_STATUSES = {
    WorkflowExecutionStatus.RUNNING: ExecutionStatus.RUNNING,
    WorkflowExecutionStatus.COMPLETED: ExecutionStatus.COMPLETED,
    WorkflowExecutionStatus.FAILED: ExecutionStatus.FAILED,
    WorkflowExecutionStatus.CANCELED: ExecutionStatus.CANCELED,
    WorkflowExecutionStatus.TERMINATED: ExecutionStatus.TERMINATED,
    WorkflowExecutionStatus.CONTINUED_AS_NEW: ExecutionStatus.CONTINUED_AS_NEW,
    WorkflowExecutionStatus.TIMED_OUT: ExecutionStatus.TIMED_OUT,
}


class RunError(WorkflowBuilderError):
    """A run cannot be started, found or talked to."""


class NotDeployedError(RunError):
    """The workflow has no active deployment to run."""


class RunInputError(RunError):
    """The input does not fit the start node's input fields.

    Attributes:
        field: the input field at fault.
        reason: what is wrong with it.
    """

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"input field {field!r}: {reason}")


class RunRateLimitedError(RunError):
    """The user started as many runs as the last minute allows (``WB_RUN_STARTS_PER_MINUTE``).

    Attributes:
        limit: runs a user may start in a minute.
        retry_after: seconds until the next start is allowed.
    """

    def __init__(self, limit: int, retry_after: float) -> None:
        self.limit = limit
        self.retry_after = retry_after
        super().__init__(
            f"too many runs started: at most {limit} a minute per user; "
            f"try again in {math.ceil(retry_after)} s"
        )


def execution_timeout(run_timeout: str | None, *, default: timedelta | None) -> timedelta | None:
    """How long a run may last: the workflow's own ``run_timeout`` (a duration of a valid
    graph), else ``default`` (``WB_DEFAULT_RUN_TIMEOUT``); None for no limit."""
    return parse_duration(run_timeout) if run_timeout else default


def admit_run_start(limiter: RateLimiter, actor: Actor) -> None:
    """Count a run start (run, rerun, reset) against ``actor``'s limit.

    The process itself (``SYSTEM``: the CLI, background threads) is not a user and is not
    limited.

    Raises:
        RunRateLimitedError: the actor started ``limiter.per_minute`` runs in the last minute.
    """
    if actor is SYSTEM:
        return
    wait = limiter.acquire(actor.name)
    if wait > 0:
        raise RunRateLimitedError(limiter.per_minute, wait)


@dataclass(frozen=True)
class RunRef:
    """Which run: Temporal's workflow id and run id, plus what it runs."""

    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str


@dataclass(frozen=True)
class RunState:
    """A run as Temporal reports it now."""

    ref: RunRef
    status: ExecutionStatus
    start_time: datetime | None
    close_time: datetime | None
    result: Any = None
    error: str | None = None

    @property
    def closed(self) -> bool:
        """True once the run has finished, whichever way."""
        return self.status is not ExecutionStatus.RUNNING


class SignalPayloadError(RunError):
    """A signal (or workflow update) payload does not fit its declared fields, or the signal is
    unknown.

    Attributes:
        signal: the signal's (or update's) name.
        field: the payload field at fault ("" when the signal itself is at fault).
        reason: what is wrong.
    """

    def __init__(self, signal: str, field: str, reason: str, *, what: str = "signal") -> None:
        self.signal = signal
        self.field = field
        self.reason = reason
        where = f"{what} {signal!r}" + (f" field {field!r}" if field else "")
        super().__init__(f"{where}: {reason}")


class UpdateRefusedError(RunError):
    """A run refused a workflow update (its validator), or the accepted update failed; the
    message is the run's own (``update 'invite' refused: ...``)."""


def check_input(fields: tuple[InputField, ...], values: Any) -> dict[str, Any]:
    """The input to send: declared fields only, of their types, required ones present, all
    within the input limits (depth, numbers, text, payload size).

    Raises:
        InputLimitError: not an object, or a value over an input limit (with its JSON path).
        RunInputError: an unknown field, a missing required field or a value of the wrong type.
    """
    return _check_fields(fields, values, where="input", error=RunInputError, noun="input field")


def check_signal_payload(
    signal: SignalDecl | UpdateDecl, payload: Any, *, what: str = "signal"
) -> Any:
    """The payload to send with ``signal`` (or a workflow update, ``what``): its declared
    fields, checked as inputs are.

    A signal without fields takes no payload (None, or an empty object).

    Raises:
        InputLimitError: a value over an input limit (with its JSON path).
        SignalPayloadError: an unknown field, a missing required one, or a wrong type.
    """
    where = f"{what} {signal.name!r} payload"
    if not signal.fields and payload in (None, {}):
        return payload
    return _check_fields(
        signal.fields,
        {} if payload is None else payload,
        where=where,
        error=lambda field, reason: SignalPayloadError(signal.name, field, reason, what=what),
        noun="field",
        owner=what,
    )


def _check_fields(
    fields: tuple[InputField, ...],
    values: Any,
    *,
    where: str,
    error: Callable[[str, str], RunError],
    noun: str,
    owner: str = "workflow",
) -> dict[str, Any]:
    # Limits first: a deep or huge value must not reach the type checks (or Temporal).
    check_payload(values, where=where)
    values = require_object(values, where=where, what=f"{noun}s" if fields else "no fields")
    declared = {item.name: item for item in fields}
    for name in values:
        if name not in declared:
            takes = ", ".join(declared) or "none"
            raise error(name, f"the {owner} has no such {noun} (it takes {takes})")
    checked: dict[str, Any] = {}
    for item in fields:
        value = values.get(item.name)
        if value is None:
            if item.required and item.default is None:
                raise error(item.name, "is required")
            continue
        if not value_has_type(value, item.type):
            raise error(item.name, f"expected a value of type {item.type}")
        checked[item.name] = value
    return checked


class RunService:
    """Starts and follows runs through the Temporal gateway, mirroring them in the database."""

    actor: Actor = SYSTEM

    def __init__(
        self,
        database: Database,
        gateway: TemporalGateway,
        *,
        limiter: RateLimiter | None = None,
        default_run_timeout: timedelta | None = None,
        local_workers: Callable[[str], WorkerHost | None] | None = None,
    ) -> None:
        self._db = database
        self._gateway = gateway
        # Finds a worker this process runs for a queue: starting through its client lets the
        # server hand the run's first workflow task straight back (eager start).
        self._local_workers = local_workers
        #: Run starts per user, shared with the console's rerun and reset.
        self.limiter = limiter or RateLimiter(0)
        self._default_run_timeout = default_run_timeout
        #: Version number and graph by version id (a version never changes): read once, for
        #: run starts and for the declared signals and updates.
        self._versions: dict[int, tuple[int, Graph]] = {}
        self._versions_lock = threading.Lock()

    @reads
    def input_fields(self, workflow_id: int) -> tuple[InputField, ...]:
        """The input fields of the workflow's active version (its start node's params).

        Raises:
            NotDeployedError: nothing is deployed.
        """
        _, _, graph = self._active(workflow_id)
        return start_input_fields(graph)

    @action(Role.OPERATOR)
    def start(self, workflow_id: int, values: Mapping[str, Any]) -> RunRef:
        """Start a run of the active version with ``values`` as input.

        Raises:
            NotDeployedError: nothing is deployed.
            InputLimitError: the input is not an object, or is over an input limit.
            RunInputError: the input does not fit the input fields.
            RunRateLimitedError: the actor started too many runs in the last minute.
            RunError: Temporal refused the start.
        """
        return self._start(workflow_id, values, wait=0).ref

    @action(Role.OPERATOR)
    def start_and_wait(
        self, workflow_id: int, values: Mapping[str, Any], *, wait: float
    ) -> RunState:
        """Start a run as :meth:`start` does and wait up to ``wait`` seconds for it to close;
        its state then (a completed run's with its result).

        The wait happens on the loop that started the run: in a process that runs a worker for
        the queue, that worker's own loop and client, as a hand-written starter would wait.
        The run's row is written once, when the wait ends, not beside the run's first workflow
        task; a process that dies meanwhile leaves it to the run monitor, which records every
        run Temporal lists.

        Raises:
            As :meth:`start`.
        """
        return self._start(workflow_id, values, wait=wait)

    def _start(self, workflow_id: int, values: Mapping[str, Any], *, wait: float) -> RunState:
        """Start a run, wait up to ``wait`` seconds for its result, record it; its state."""
        deployment, version, graph = self._active(workflow_id)
        payload = check_input(start_input_fields(graph), values)
        admit_run_start(self.limiter, self.actor)
        run_id_base = f"{graph.workflow.name}-{uuid.uuid4().hex[:12]}"

        async def start_and_wait(
            client: Client, *, eager: bool
        ) -> tuple[WorkflowHandle[Any, Any], Any]:
            handle = await client.start_workflow(
                deployment.workflow_type,
                payload,
                id=run_id_base,
                task_queue=deployment.task_queue,
                memo={TRIGGER_MEMO: RunTrigger.MANUAL.value},
                execution_timeout=execution_timeout(
                    graph.workflow.run_timeout, default=self._default_run_timeout
                ),
                request_eager_start=eager,
            )
            return handle, await _completed_result(handle, wait)

        host = self._local_workers(deployment.task_queue) if self._local_workers else None
        client = host.serving_client(deployment.task_queue) if host is not None else None
        # Bounds the start itself, beyond the wait for the result.
        timeout = wait + START_TIMEOUT_S
        began = datetime.now(UTC)
        try:
            if host is not None and client is not None:
                # Durable all the same: the server records the start and the task before it
                # replies, and a worker that dies holding the task loses it to a timeout and
                # a retry on another worker, as with any workflow task.
                handle, result = host.call(start_and_wait(client, eager=True), timeout)
            else:
                handle, result = self._gateway.call(
                    start_and_wait(self._gateway.client, eager=False), timeout
                )
        except RPCError as error:
            raise RunError(f"run of {graph.workflow.name!r} not started: {error.message}") from None
        RUNS_STARTED.labels(workflow=graph.workflow.name).inc()
        ref = RunRef(
            workflow_id=handle.id,
            run_id=handle.result_run_id or "",
            workflow_type=deployment.workflow_type,
            task_queue=deployment.task_queue,
        )
        completed = result is not _NO_RESULT
        closed = datetime.now(UTC) if completed else None
        self._db.executions.upsert(
            workflow_id=ref.workflow_id,
            run_id=ref.run_id,
            workflow_type=ref.workflow_type,
            task_queue=ref.task_queue,
            status=ExecutionStatus.COMPLETED if completed else ExecutionStatus.RUNNING,
            start_time=began,
            close_time=closed,
            definition_id=workflow_id,
            version=version,
            trigger=RunTrigger.MANUAL,
            input_preview=preview(payload),
            result_preview=preview(result) if completed else None,
        )
        if completed:
            return RunState(ref, ExecutionStatus.COMPLETED, began, closed, result)
        if wait > 0:  # closed another way, or still running: Temporal says which
            return self.state(ref)
        return RunState(ref, ExecutionStatus.RUNNING, began, None)

    @reads
    def state(self, ref: RunRef) -> RunState:
        """What Temporal says of the run now; a closed run's result or failure included.

        A run that continued as new is followed along its chain: the state is that of the run
        going on now (or the last), and its ``ref`` names that run.
        """

        async def fetch() -> RunState:
            handle = self._gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
            description = await handle.describe()
            # A run that continued as new goes on in the next run of its chain: follow it.
            while description.status is WorkflowExecutionStatus.CONTINUED_AS_NEW:
                handle = self._gateway.client.get_workflow_handle(
                    ref.workflow_id, run_id=await _next_run_id(handle)
                )
                description = await handle.describe()
            current = replace(ref, run_id=description.run_id)
            status = status_of(description.status)
            result, error = None, None
            if status is ExecutionStatus.COMPLETED:
                result = await handle.result()
            elif status is not ExecutionStatus.RUNNING:
                try:
                    await handle.result()
                except WorkflowFailureError as failure:
                    # From its cause: the run monitor records the failure the history holds,
                    # which has no client-side "Workflow execution failed" wrapper, and the
                    # dashboard groups runs by this text.
                    error = failure_message(failure.cause or failure)
            return RunState(
                current, status, description.start_time, description.close_time, result, error
            )

        try:
            state = self._gateway.call(fetch())
        except RPCError as error:
            raise RunError(f"run {ref.workflow_id}: {error.message}") from error
        self._record(state)
        return state

    @reads
    def wait(self, ref: RunRef, *, timeout: float) -> RunState:
        """Wait up to ``timeout`` seconds for the run to close, then report its state."""

        async def wait_result() -> None:
            handle = self._gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
            with contextlib.suppress(WorkflowFailureError):  # state() below reads the failure
                await handle.result()

        with contextlib.suppress(TimeoutError):  # still running: state() says so
            self._gateway.call(wait_result(), timeout=timeout)
        return self.state(ref)

    @action(Role.OPERATOR)
    def signal(self, ref: RunRef, name: str, payload: Any = None) -> None:
        """Send a declared signal to a running run, its payload checked against its fields.

        Raises:
            SignalPayloadError: the run's workflow declares no such signal, or the payload
                does not fit its fields.
            InputLimitError: the payload is over an input limit.
            RunError: the run is not of a deployed workflow, or Temporal refused the signal
                (for example the run has closed).
        """
        payload = check_signal_payload(self._declared(ref, "signal", name), payload)
        handle = self._gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
        try:
            self._gateway.call(handle.signal(name, payload))
        except RPCError as error:
            raise RunError(f"signal {name!r} to run {ref.workflow_id}: {error.message}") from None

    def _declared(
        self, ref: RunRef, what: Literal["signal", "update"], name: str
    ) -> SignalDecl | UpdateDecl:
        """The run's declaration of signal or update ``name``.

        Raises:
            SignalPayloadError: the run's workflow declares none of that name.
        """
        meta = self._meta(ref, f"{what}s")
        declared: tuple[SignalDecl | UpdateDecl, ...] = (
            meta.signals if what == "signal" else meta.updates
        )
        for declaration in declared:
            if declaration.name == name:
                return declaration
        known = ", ".join(repr(declaration.name) for declaration in declared) or "none"
        reason = f"the workflow declares no such {what} ({known})"
        raise SignalPayloadError(name, "", reason, what=what)

    def _meta(self, ref: RunRef, what: str) -> WorkflowMeta:
        """The settings of the deployed version ``ref`` runs (``what`` names what they give)."""
        deployment = self._db.deployments.find_by_type(ref.workflow_type)
        if deployment is None:
            raise RunError(
                f"run {ref.workflow_id} is of {ref.workflow_type!r}, which nothing here deployed: "
                f"its {what} are unknown"
            )
        return self._version(deployment.version_id)[1].workflow

    def _version(self, version_id: int) -> tuple[int, Graph]:
        """The version number and graph of version ``version_id``, read once."""
        with self._versions_lock:
            known = self._versions.get(version_id)
        if known is None:
            version = self._db.versions.get_by_id(version_id)
            known = (version.version, graph_from_dict(version.graph))
            with self._versions_lock:
                self._versions[version_id] = known
        return known

    @action(Role.OPERATOR)
    def update(self, ref: RunRef, name: str, payload: Any = None) -> Any:
        """Send a declared workflow update to a running run and wait for its result.

        Raises:
            SignalPayloadError: the run's workflow declares no such update, or the payload
                does not fit its fields.
            InputLimitError: the payload is over an input limit.
            UpdateRefusedError: the run refused the update (its validator) or the update
                failed; the run's state is as the message says (a refusal changed nothing).
            RunError: the run is not of a deployed workflow, Temporal refused the update (the
                run has closed), or no worker answered in time.
        """
        declared = self._declared(ref, "update", name)
        payload = check_signal_payload(declared, payload, what="update")
        handle = self._gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
        try:
            return self._gateway.call(handle.execute_update(name, payload))
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            raise UpdateRefusedError(getattr(cause, "message", None) or str(cause)) from None
        except RPCError as error:
            raise RunError(f"update {name!r} of run {ref.workflow_id}: {error.message}") from None
        except TimeoutError:
            raise RunError(
                f"update {name!r} of run {ref.workflow_id}: no worker answered in time"
            ) from None

    @reads
    def query(self, ref: RunRef, name: str) -> Any:
        """Ask a run a declared query (or the built-in ``state``).

        Raises:
            InputLimitError: the name is over the text limit.
            RunError: the query failed (its expression met unexpected data, the run is gone, or
                no worker answered in time).
        """
        check_payload(name, where="query name")
        handle = self._gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
        try:
            return self._gateway.call(handle.query(name))
        except (RPCError, WorkflowQueryFailedError) as error:
            reason = getattr(error, "message", None) or str(error)
            raise RunError(f"query {name!r} of run {ref.workflow_id}: {reason}") from None

    @reads
    def recent(self, workflow_id: int, *, limit: int = 20) -> list[ExecutionRecord]:
        """The workflow's newest runs, as the run monitor last recorded them."""
        records = self._db.executions.find(
            ExecutionFilter(definition_id=workflow_id), limit=limit, count=False
        )
        return list(records.items)

    def _active(self, workflow_id: int) -> tuple[Any, int, Graph]:
        """The active deployment, its version number and graph."""
        deployment = self._db.deployments.active_for_workflow(workflow_id)
        if deployment is None:
            name = self._db.workflows.get(workflow_id).name
            raise NotDeployedError(f"workflow {name!r} has no active deployment; deploy it first")
        return deployment, *self._version(deployment.version_id)

    def _record(self, state: RunState) -> None:
        self._db.executions.upsert(
            workflow_id=state.ref.workflow_id,
            run_id=state.ref.run_id,
            workflow_type=state.ref.workflow_type,
            task_queue=state.ref.task_queue,
            status=state.status,
            start_time=state.start_time or datetime.now(UTC),
            result_preview=preview(state.result),
            error=state.error,
            close_time=state.close_time,
        )


#: What :func:`_completed_result` gives for a run that did not complete within the wait.
_NO_RESULT = object()


async def _completed_result(handle: WorkflowHandle[Any, Any], wait: float) -> Any:
    """The run's result if it completes within ``wait`` seconds, else ``_NO_RESULT`` (still
    running, or closed another way: failed, continued as new, ...)."""
    if wait <= 0:
        return _NO_RESULT
    try:
        return await asyncio.wait_for(handle.result(follow_runs=False), wait)
    except (TimeoutError, WorkflowFailureError, WorkflowContinuedAsNewError, RPCError):
        return _NO_RESULT


async def _next_run_id(handle: WorkflowHandle[Any, Any]) -> str:
    """The run a run that continued as new continued into (its close event names it)."""
    async for event in handle.fetch_history_events(
        event_filter_type=WorkflowHistoryEventFilterType.CLOSE_EVENT
    ):
        return event.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    raise RunError(f"run {handle.id} continued as new, but its history does not say into what")


def status_of(status: WorkflowExecutionStatus | None) -> ExecutionStatus:
    """Temporal's status of a run as the database's (an unknown one counts as running)."""
    return (
        ExecutionStatus.RUNNING
        if status is None
        else _STATUSES.get(status, ExecutionStatus.RUNNING)
    )


def start_input_fields(graph: Graph) -> tuple[InputField, ...]:
    """The input fields a graph's start node declares."""
    start = next(node for node in graph.nodes if node.type == "start")
    return input_fields_from_json(start.params.get("input_fields", ()))


def failure_message(error: BaseException) -> str:
    """The chain of causes of a failure, outermost first, joined by ': '."""
    messages: list[str] = []
    for cause in causes(error):
        text = getattr(cause, "message", None) or str(cause)
        if text and text not in messages:
            messages.append(text)
    return ": ".join(messages)
