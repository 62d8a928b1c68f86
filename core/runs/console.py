"""The runs console: every recorded run, one run in depth, and what can be done to runs."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import PendingActivityState, ResetReapplyType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import WorkflowExecutionDescription
from temporalio.service import RPCError

from core.auth import SYSTEM, Actor, Role, acting_as, action, reads
from core.db import (
    Database,
    ExecutionFilter,
    ExecutionPage,
    ExecutionRecord,
    ExecutionSort,
    ExecutionStatus,
    RecordNotFoundError,
    preview,
)
from core.executions import RunError, RunRef, RunService, admit_run_start, status_of
from core.graph import Graph
from core.runs.monitor import trigger_of
from core.runs.trace import RunTrace, decode, failure_text
from core.runs.tracer import RunTracer
from core.schedules import TemporalCaller

logger = logging.getLogger(__name__)

#: The filter that matches every run.
ANY_RUN = ExecutionFilter()
#: Most runs one bulk action touches.
BULK_LIMIT = 1000


class RunNotFoundError(RunError):
    """No such run in the records or in Temporal."""


def continue_as_new_links(events: Sequence[HistoryEvent]) -> dict[str, str | None]:
    """The runs before and after a run in its continue-as-new chain, from its history: the
    run it continued (its first event says) and the run it continued as new into (its last)."""
    before = after = None
    if events and events[0].HasField("workflow_execution_started_event_attributes"):
        before = events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    if events and events[-1].HasField("workflow_execution_continued_as_new_event_attributes"):
        after = events[-1].workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    return {"continued_from": before or None, "continued_as": after or None}


@dataclass(frozen=True)
class PendingActivity:
    """An activity Temporal has in flight for an open run."""

    node_id: str | None
    activity_type: str
    activity_id: str
    state: str
    attempt: int
    last_failure: str | None
    scheduled_at: datetime | None
    last_started_at: datetime | None


@dataclass(frozen=True)
class RunDetail:
    """Everything the run page shows of one run.

    Attributes:
        record: the run's record, refreshed from Temporal.
        trace: its history laid over its graph.
        graph: the graph of the version it ran (None: not a managed workflow).
        workflow_name: the workflow it is a run of, when managed.
        pending: activities in flight (open runs).
        children: child runs it started (from the records).
        continued_from: the run id of the run this one continued (same workflow id), if any.
        continued_as: the run id of the run this one continued as new into, if it did.
    """

    record: ExecutionRecord
    trace: RunTrace
    graph: Graph | None
    workflow_name: str | None
    pending: tuple[PendingActivity, ...]
    children: tuple[ExecutionRecord, ...]
    continued_from: str | None = None
    continued_as: str | None = None


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: the runs it reached and those Temporal refused, with why."""

    done: int
    failed: tuple[tuple[str, str], ...]


class RunsConsole:
    """Runs across workflows: listing, detail, cancel, terminate, reset and rerun.

    Args:
        database: the execution records (kept by the run monitor).
        temporal: a client and its loop.
        tracer: lays histories over graphs.
        runs: starts reruns on the active version.
    """

    actor: Actor = SYSTEM

    def __init__(
        self, database: Database, temporal: TemporalCaller, tracer: RunTracer, runs: RunService
    ) -> None:
        self._db = database
        self._temporal = temporal
        self._tracer = tracer
        self._runs = runs

    # Reading -----------------------------------------------------------------------------

    @reads
    def page(
        self,
        filters: ExecutionFilter = ANY_RUN,
        *,
        page: int = 0,
        page_size: int = 50,
        sort: ExecutionSort = ExecutionSort.START_TIME,
        descending: bool = True,
    ) -> ExecutionPage:
        """One page of runs matching ``filters``, sorted in the database."""
        return self._db.executions.find(
            filters,
            limit=page_size,
            offset=max(page, 0) * page_size,
            sort=sort,
            descending=descending,
        )

    @reads
    def counts(self, filters: ExecutionFilter = ANY_RUN) -> dict[ExecutionStatus, int]:
        """Runs matching ``filters`` per status."""
        return self._db.executions.count_by_status(filters)

    @reads
    def find(self, workflow_id: str, run_id: str | None = None) -> ExecutionRecord:
        """A run's record; without ``run_id`` the newest run of ``workflow_id``.

        Raises:
            RunNotFoundError: the records have no such run.
        """
        try:
            if run_id:
                return self._db.executions.get(workflow_id, run_id)
            return self._db.executions.latest(workflow_id)
        except RecordNotFoundError:
            raise RunNotFoundError(f"no run {workflow_id} {run_id or ''}".strip()) from None

    @reads
    def detail(self, workflow_id: str, run_id: str | None = None) -> RunDetail:
        """A run as the run page shows it: record, trace over the graph, pending activities.

        Reads the run's description and history from Temporal, and brings its record up to
        date with them (so a run page is never behind the monitor).

        Raises:
            RunNotFoundError: neither the records nor Temporal know the run.
            RunError: Temporal could not be asked.
        """
        # Without a run id Temporal names the newest run (the records may not have it yet).
        handle = self._temporal.client.get_workflow_handle(workflow_id, run_id=run_id)

        async def fetch() -> tuple[WorkflowExecutionDescription, Any]:
            description = await handle.describe()
            history = await self._temporal.client.get_workflow_handle(
                workflow_id, run_id=description.run_id
            ).fetch_history()
            return description, history

        try:
            description, history = self._temporal.call(fetch(), timeout=60)
        except RPCError as error:
            try:
                self.find(workflow_id, run_id)
            except RunNotFoundError:
                raise RunNotFoundError(f"no run {workflow_id}: {error.message}") from None
            raise RunError(
                f"run {workflow_id}: Temporal cannot show it ({error.message}); its history may "
                "be past the namespace's retention"
            ) from None
        try:
            known: ExecutionRecord | None = self.find(description.id, description.run_id)
        except RunNotFoundError:
            known = None
        trace = self._temporal.call(self._tracer.trace(history, description.workflow_type))
        found = self._tracer.version_of(description.workflow_type)
        record = self._record(description, trace, known, found)
        pending = tuple(_pending(description, trace))
        return RunDetail(
            record=record,
            trace=trace,
            graph=found.graph if found else None,
            workflow_name=found.graph.workflow.name if found else None,
            pending=pending,
            children=tuple(self._db.executions.children_of(record.workflow_id, record.run_id)),
            **continue_as_new_links(history.events),
        )

    # Actions -----------------------------------------------------------------------------

    @action(Role.OPERATOR)
    def cancel(self, workflow_id: str, run_id: str) -> None:
        """Ask a run to cancel (its workflow decides how; a generated one stops at once).

        Raises:
            RunError: Temporal refused (for example the run has closed).
        """
        handle = self._temporal.client.get_workflow_handle(workflow_id, run_id=run_id)
        self._act(f"cancel run {workflow_id}", handle.cancel())

    @action(Role.OPERATOR)
    def terminate(self, workflow_id: str, run_id: str, *, reason: str) -> None:
        """End a run at once, recording ``reason`` in its history.

        Raises:
            RunError: no reason given, or Temporal refused.
        """
        if not reason.strip():
            raise RunError("terminating a run needs a reason, for its history")
        handle = self._temporal.client.get_workflow_handle(workflow_id, run_id=run_id)
        self._act(f"terminate run {workflow_id}", handle.terminate(reason=reason.strip()))

    @action(Role.OPERATOR)
    def reset(self, workflow_id: str, run_id: str, *, node_id: str, reason: str) -> RunRef:
        """Start the run again from where ``node_id`` last began (Temporal reset).

        The new run keeps the history before that step, runs the step and everything after
        it again, and the old run ends as terminated. Signals received after the reset point
        are sent again.

        Raises:
            RunError: the node never ran in this run, or Temporal refused.
        """
        detail = self.detail(workflow_id, run_id)
        node = detail.trace.nodes.get(node_id)
        if node is None or node.reset_event_id is None:
            raise RunError(
                f"node {node_id!r} did not run in {workflow_id}, so it cannot be reset to"
            )
        admit_run_start(self._runs.limiter, self.actor)  # a reset starts a new run
        request = ResetWorkflowExecutionRequest(
            namespace=self._temporal.client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
            reason=reason.strip() or f"reset to {node_id} from Workflow Builder",
            workflow_task_finish_event_id=node.reset_event_id,
            request_id=str(uuid.uuid4()),
            reset_reapply_type=ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL,
        )
        response = self._act(
            f"reset run {workflow_id} to {node_id}",
            self._temporal.client.workflow_service.reset_workflow_execution(request),
        )
        record = detail.record
        return RunRef(workflow_id, response.run_id, record.workflow_type, record.task_queue)

    @action(Role.OPERATOR)
    def rerun(
        self, workflow_id: str, run_id: str, *, input: Mapping[str, Any] | None = None
    ) -> RunRef:
        """Start a new run of the same workflow's active version, with the same or new input.

        Raises:
            RunError: the run is not of a managed workflow, nothing is deployed, or the input
                does not fit the input fields.
        """
        record = self.find(workflow_id, run_id)
        if record.definition_id is None:
            raise RunError(f"run {workflow_id} is not of a workflow this console manages")
        if input is None:
            input = self._original_input(record)
        # As this console's user: their run-start limit and audit entry, not the process's.
        return acting_as(self._runs, self.actor).start(record.definition_id, input)

    @action(Role.OPERATOR)
    def bulk(
        self,
        action: str,
        *,
        keys: Sequence[tuple[str, str]] | None = None,
        filters: ExecutionFilter | None = None,
        reason: str = "",
    ) -> BulkResult:
        """Cancel or terminate many open runs: the given ones, or every one matching ``filters``.

        Raises:
            RunError: an unknown action, or terminate without a reason.
        """
        if action not in ("cancel", "terminate"):
            raise RunError(f"unknown bulk action {action!r} (cancel or terminate)")
        if action == "terminate" and not reason.strip():
            raise RunError("terminating runs needs a reason, for their histories")
        targets = list(keys) if keys is not None else self.open_keys(filters or ANY_RUN)
        client = self._temporal.client
        limit = asyncio.Semaphore(16)

        async def one(workflow_id: str, run_id: str) -> str | None:
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
            async with limit:
                try:
                    if action == "cancel":
                        await handle.cancel()
                    else:
                        await handle.terminate(reason=reason.strip())
                except RPCError as error:
                    return error.message
            return None

        async def every() -> list[str | None]:
            return await asyncio.gather(*(one(w, r) for w, r in targets[:BULK_LIMIT]))

        outcomes = self._temporal.call(every(), timeout=300)
        failed = tuple(
            (workflow_id, why)
            for (workflow_id, _), why in zip(targets, outcomes, strict=False)
            if why is not None
        )
        return BulkResult(done=len(outcomes) - len(failed), failed=failed)

    @reads
    def open_keys(self, filters: ExecutionFilter) -> list[tuple[str, str]]:
        """``(workflow_id, run_id)`` of the open runs matching ``filters`` (bulk targets)."""
        if filters.statuses is not None and ExecutionStatus.RUNNING not in filters.statuses:
            return []  # the filter shows closed runs only: none of them can be acted on
        running = replace(filters, statuses=(ExecutionStatus.RUNNING,))
        return self._db.executions.keys(running, limit=BULK_LIMIT)

    # Helpers -----------------------------------------------------------------------------

    def _act(self, what: str, coro: Any) -> Any:
        try:
            return self._temporal.call(coro, timeout=30)
        except RPCError as error:
            raise RunError(f"{what}: {error.message}") from None

    def _original_input(self, record: ExecutionRecord) -> Mapping[str, Any]:
        handle = self._temporal.client.get_workflow_handle(record.workflow_id, run_id=record.run_id)

        async def first_event() -> Any:
            async for event in handle.fetch_history_events(page_size=1):
                return decode(event.workflow_execution_started_event_attributes.input)
            return None

        try:
            value = self._temporal.call(first_event(), timeout=30)
        except RPCError as error:
            raise RunError(
                f"cannot read the input of {record.workflow_id}: {error.message}"
            ) from None
        return value if isinstance(value, Mapping) else {}

    def _record(
        self,
        description: WorkflowExecutionDescription,
        trace: RunTrace,
        known: ExecutionRecord | None,
        found: Any,
    ) -> ExecutionRecord:
        status = status_of(description.status)
        failed_label = None
        if found is not None and trace.failed_node_id is not None:
            node = found.graph.node(trace.failed_node_id)
            failed_label = node.label if node else None
        self._db.executions.upsert(
            workflow_id=description.id,
            run_id=description.run_id,
            workflow_type=description.workflow_type,
            task_queue=description.task_queue,
            status=status,
            start_time=description.start_time,
            close_time=description.close_time,
            history_length=description.history_length,
            parent_workflow_id=description.parent_id,
            parent_run_id=description.parent_run_id,
            definition_id=found.deployment.workflow_id if found else None,
            version=found.version.version if found else None,
            trigger=None if known else trigger_of(description),
            input_preview=preview(trace.input),
            result_preview=preview(trace.result),
            error=trace.failure,
            failed_node_id=trace.failed_node_id,
            failed_node_label=failed_label,
        )
        return self._db.executions.get(description.id, description.run_id)


def _pending(description: WorkflowExecutionDescription, trace: RunTrace) -> list[PendingActivity]:
    by_call = {
        call.call_id: node.node_id
        for node in trace.nodes.values()
        for call in node.calls
        if call.kind == "activity"
    }
    found = []
    for item in description.raw_description.pending_activities:
        failure = failure_text(item.last_failure) if item.HasField("last_failure") else None
        found.append(
            PendingActivity(
                node_id=by_call.get(item.activity_id),
                activity_type=item.activity_type.name,
                activity_id=item.activity_id,
                state=PendingActivityState.Name(item.state)
                .removeprefix("PENDING_ACTIVITY_STATE_")
                .lower(),
                attempt=item.attempt,
                last_failure=failure or None,
                scheduled_at=_time(item, "scheduled_time"),
                last_started_at=_time(item, "last_started_time"),
            )
        )
    return found


def _time(message: Any, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    return getattr(message, field).ToDatetime().astimezone()
