"""A run laid over its graph: what happened at each node, read from the run's event history.

:func:`build_trace` is pure: it takes the history, the graph of the version that ran and the
replay trail (:mod:`core.runs.replay`) and works out each node's state, its activity input,
output, attempts and failure, the step a failed run failed at, and a timeline of the run.
Without a trail (code that cannot be loaded) it falls back to matching the labels Temporal
keeps as summaries of activities, timers and child workflows.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from temporalio.api.common.v1 import Payload, Payloads
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import HistoryEvent
from temporalio.converter import DataConverter

from core.activities.pacing import PACE_ACTIVITY
from core.graph import Graph
from core.runs.replay import Trail

#: Node kinds whose step starts a timer (a sleep, or a wait with a timeout).
TIMER_KINDS = ("timer", "wait_signal", "wait_until", "wait_any")
#: Node kinds whose step waits without an event of its own (a timer only for a timeout).
WAIT_KINDS = ("wait_signal", "wait_until", "wait_any")

_E = EventType
#: The marker temporalio's core records for a local activity (its result or failure).
LOCAL_ACTIVITY_MARKER = "core_local_activity"
_ACTIVITY_CLOSE = {
    _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "completed",
    _E.EVENT_TYPE_ACTIVITY_TASK_FAILED: "failed",
    _E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "failed",
    _E.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "canceled",
}
_CHILD_CLOSE = {
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: "completed",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: "failed",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT: "failed",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: "failed",
    _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED: "canceled",
    _E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED: "failed",
}
_RUN_CLOSE = {
    _E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "completed",
    _E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
    _E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed_out",
    _E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "canceled",
    _E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued_as_new",
}
_converter = DataConverter.default.payload_converter


class NodeState(enum.StrEnum):
    """What happened at a node, as the graph shows it."""

    NOT_REACHED = "not_reached"
    COMPLETED = "completed"
    FAILED = "failed"
    RUNNING = "running"
    WAITING = "waiting"
    CANCELED = "canceled"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class Call:
    """One activity, child workflow or timer a node started, from its events.

    Attributes:
        kind: ``activity``, ``child`` or ``timer``.
        name: the activity type, child workflow type, or ``timer``.
        event_id: the event that started it (scheduled, initiated, timer started).
        call_id: Temporal's activity id, child workflow id or timer id.
        task_event_id: the ``WorkflowTaskCompleted`` event of the task that started it.
        outcome: ``completed``, ``failed``, ``canceled``, or ``open`` while in progress
            (``fired`` counts as completed for a timer).
        attempt: the attempt the outcome is from (activities; 1 otherwise).
        input: the arguments it was given (activities, children).
        output: what it returned.
        failure: its last failure message.
        scheduled_at, started_at, closed_at: when it was scheduled, picked up and finished.
        identity: the worker that ran it (activities).
    """

    kind: str
    name: str
    event_id: int
    scheduled_at: datetime
    call_id: str = ""
    task_event_id: int | None = None
    outcome: str = "open"
    attempt: int = 1
    input: Any = None
    output: Any = None
    failure: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    identity: str | None = None


@dataclass(frozen=True)
class NodeRun:
    """One node of the graph in this run.

    Attributes:
        node_id: the node.
        state: what the graph shows for it.
        visits: how often its step began (loops enter a step once per item).
        calls: the activities, children or timers it started, oldest first.
        failure: why it failed, when it did.
        reset_event_id: the ``WorkflowTaskCompleted`` event of the task its last visit began
            in: resetting the run there runs the node again (None when unknown).
    """

    node_id: str
    state: NodeState
    visits: int = 0
    calls: tuple[Call, ...] = ()
    failure: str | None = None
    reset_event_id: int | None = None

    @property
    def last_call(self) -> Call | None:
        """The newest call, if any."""
        return self.calls[-1] if self.calls else None

    @property
    def retried(self) -> bool:
        """True when an activity call needed more than one attempt."""
        return any(call.attempt > 1 for call in self.calls)


@dataclass(frozen=True)
class TimelineItem:
    """A bar (or, without ``end``, a point) on the run's timeline chart."""

    node_id: str | None
    kind: str
    label: str
    start: datetime
    end: datetime | None
    outcome: str


@dataclass(frozen=True)
class RunTrace:
    """A run laid over its graph.

    Attributes:
        status: how the history ends (``running`` while open).
        nodes: every node of the graph, by id.
        failed_node_id: the node a failed run failed at.
        current_node_id: the node the run is at (open runs) or ended at.
        failure: the run's failure, its causes joined outermost first.
        input, result: the run's input and, once completed, its result.
        timeline: activities, timers, child runs, signal waits, signals and updates over time.
        identity: the worker that ran the last workflow task.
        event_count: how many events the history had.
        exact: True when a replay of the version's code mapped every step; False when the
            states come from matching labels only.
    """

    status: str
    nodes: dict[str, NodeRun]
    failed_node_id: str | None
    current_node_id: str | None
    failure: str | None
    input: Any
    result: Any
    timeline: tuple[TimelineItem, ...]
    identity: str | None
    event_count: int
    exact: bool
    replay_error: str | None = None


@dataclass
class _Open:
    node_id: str | None
    call: Call


def decode(payloads: Payloads | Sequence[Payload]) -> Any:
    """JSON values of Temporal payloads: one value, a list of several, None for none.

    Payloads no JSON converter reads come back as a short description, never an error.
    """
    items = list(payloads.payloads if isinstance(payloads, Payloads) else payloads)
    try:
        values = _converter.from_payloads(items)
    except Exception as error:  # a payload of a codec or encoding this app does not know
        return f"<{len(items)} payload(s) that cannot be read: {type(error).__name__}>"
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def failure_text(failure: Failure) -> str:
    """A Temporal failure and its causes, outermost first, joined by ': ' (repeats dropped)."""
    messages: list[str] = []
    current: Failure | None = failure
    while current is not None and current.ByteSize():
        if current.message and current.message not in messages:
            messages.append(current.message)
        current = current.cause if current.HasField("cause") else None
    return ": ".join(messages)


def build_trace(
    events: Sequence[HistoryEvent], graph: Graph | None, trail: Trail | None
) -> RunTrace:
    """Lay a run's events over ``graph``; see the module docstring."""
    nodes_by_label = _labels(graph)
    steps = trail.of_kind("step") if trail else []
    activity_nodes = iter(entry.node_id for entry in trail.of_kind("activity")) if trail else None
    local_calls = trail.of_kind("local") if trail else []
    child_nodes = iter(entry.node_id for entry in trail.of_kind("child")) if trail else None
    timer_steps = _timer_steps(graph, steps)
    times = {event.event_id: event.event_time.ToDatetime().astimezone() for event in events}

    opened: dict[int, _Open] = {}
    calls: dict[str, list[Call]] = defaultdict(list)
    timeline: list[TimelineItem] = []
    status, failure, result, run_input, identity = "running", None, None, None, None
    failure_proto: Failure | None = None
    signals: list[tuple[str, datetime]] = []
    #: Workflow updates by their acceptance event: name, accepted at, and (once done) when
    #: and how they ended. Refused updates leave no events.
    updates: dict[int, tuple[str, datetime, datetime | None, str]] = {}

    def close(event_id: int, **changes: Any) -> None:
        found = opened.get(event_id)
        if found is None:
            return
        found.call = replace(found.call, **changes)

    for event in events:
        kind = event.event_type
        when = times[event.event_id]
        if kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            run_input = decode(event.workflow_execution_started_event_attributes.input)
        elif kind == _E.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            identity = event.workflow_task_started_event_attributes.identity or identity
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            node = _next(activity_nodes) or _by_summary(event, nodes_by_label)
            opened[event.event_id] = _Open(
                node,
                Call(
                    "activity",
                    attrs.activity_type.name,
                    event.event_id,
                    when,
                    call_id=attrs.activity_id,
                    task_event_id=attrs.workflow_task_completed_event_id,
                    input=decode(attrs.input),
                ),
            )
        elif kind == _E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs_s = event.activity_task_started_event_attributes
            close(
                attrs_s.scheduled_event_id,
                started_at=when,
                attempt=attrs_s.attempt,
                identity=attrs_s.identity or None,
            )
        elif kind in _ACTIVITY_CLOSE:
            attrs_c = _attributes(event)
            changes: dict[str, Any] = {"outcome": _ACTIVITY_CLOSE[kind], "closed_at": when}
            if kind == _E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
                changes["output"] = decode(attrs_c.result)
            elif attrs_c.HasField("failure"):
                changes["failure"] = failure_text(attrs_c.failure)
            close(attrs_c.scheduled_event_id, **changes)
        elif kind == _E.EVENT_TYPE_MARKER_RECORDED:
            attrs_m = event.marker_recorded_event_attributes
            if attrs_m.marker_name == LOCAL_ACTIVITY_MARKER:
                local = _local_activity(event, when)
                if local["name"] == PACE_ACTIVITY:
                    continue  # a loop's pause: no step's call (the trail keeps its number)
                # The SDK numbers local activities in the order the code started them.
                seq = local.pop("seq")
                entry = local_calls[seq - 1] if 0 < seq <= len(local_calls) else None
                node = entry.node_id if entry else _by_summary(event, nodes_by_label)
                if entry is not None and entry.args:
                    local["input"] = entry.args[0] if len(entry.args) == 1 else list(entry.args)
                opened[event.event_id] = _Open(node, Call(kind="activity", **local))
        elif kind == _E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            attrs_i = event.start_child_workflow_execution_initiated_event_attributes
            node = _next(child_nodes) or _by_summary(event, nodes_by_label)
            opened[event.event_id] = _Open(
                node,
                Call(
                    "child",
                    attrs_i.workflow_type.name,
                    event.event_id,
                    when,
                    call_id=attrs_i.workflow_id,
                    task_event_id=attrs_i.workflow_task_completed_event_id,
                    input=decode(attrs_i.input),
                ),
            )
        elif kind == _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
            attrs_cs = event.child_workflow_execution_started_event_attributes
            close(attrs_cs.initiated_event_id, started_at=when)
        elif kind in _CHILD_CLOSE:
            attrs_cc = _attributes(event)
            changes = {"outcome": _CHILD_CLOSE[kind], "closed_at": when}
            if kind == _E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
                changes["output"] = decode(attrs_cc.result)
            elif hasattr(attrs_cc, "failure") and attrs_cc.HasField("failure"):
                changes["failure"] = failure_text(attrs_cc.failure)
            close(attrs_cc.initiated_event_id, **changes)
        elif kind == _E.EVENT_TYPE_TIMER_STARTED:
            attrs_t = event.timer_started_event_attributes
            node = _by_summary(event, nodes_by_label, kinds=TIMER_KINDS, graph=graph) or _pop(
                timer_steps, attrs_t.workflow_task_completed_event_id - 1
            )
            opened[event.event_id] = _Open(
                node,
                Call(
                    "timer",
                    "timer",
                    event.event_id,
                    when,
                    call_id=attrs_t.timer_id,
                    task_event_id=attrs_t.workflow_task_completed_event_id,
                ),
            )
        elif kind in (_E.EVENT_TYPE_TIMER_FIRED, _E.EVENT_TYPE_TIMER_CANCELED):
            attrs_tf = _attributes(event)
            outcome = "completed" if kind == _E.EVENT_TYPE_TIMER_FIRED else "canceled"
            close(attrs_tf.started_event_id, outcome=outcome, closed_at=when)
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signals.append((event.workflow_execution_signaled_event_attributes.signal_name, when))
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            updates[event.event_id] = (request.input.name, when, None, "open")
        elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            attrs_u = event.workflow_execution_update_completed_event_attributes
            accepted = updates.get(attrs_u.accepted_event_id)
            if accepted is not None:
                outcome = "failed" if attrs_u.outcome.HasField("failure") else "completed"
                updates[attrs_u.accepted_event_id] = (accepted[0], accepted[1], when, outcome)
        elif kind in _RUN_CLOSE:
            status = _RUN_CLOSE[kind]
            attrs_r = _attributes(event)
            if kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
                result = decode(attrs_r.result)
            elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
                failure_proto = attrs_r.failure
                failure = failure_text(attrs_r.failure)
            elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
                failure = f"terminated: {attrs_r.reason or 'no reason given'}"
            elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
                failure = "the run timed out"
            elif kind == _E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
                failure = "the run was cancelled"

    for item in opened.values():
        if item.node_id is not None:
            calls[item.node_id].append(item.call)
        timeline.append(
            TimelineItem(
                item.node_id,
                item.call.kind,
                _call_label(graph, item),
                item.call.scheduled_at,
                item.call.closed_at,
                item.call.outcome,
            )
        )
    timeline += [
        TimelineItem(None, "signal", name, when, None, "received") for name, when in signals
    ]
    timeline += [
        TimelineItem(None, "update", name, start, end, outcome)
        for name, start, end, outcome in updates.values()
    ]
    timeline += _signal_waits(graph, steps, times, signals, calls, status)

    failed_node = _failed_node(failure_proto, opened, steps) if status == "failed" else None
    current = steps[-1].node_id if steps else None
    return RunTrace(
        status=status,
        nodes=_node_runs(graph, steps, calls, status, failed_node, current, failure),
        failed_node_id=failed_node,
        current_node_id=current,
        failure=failure,
        input=run_input,
        result=result,
        timeline=tuple(sorted(timeline, key=lambda item: item.start)),
        identity=identity,
        event_count=len(events),
        exact=trail is not None and trail.error is None,
        replay_error=trail.error if trail else None,
    )


def _signals_waited(params: Any) -> list[str]:
    """The signals a wait_signal or wait_any node waits for, as its params name them."""
    listed = params.get("signals") or [params.get("signal")]
    return [str(name) for name in listed if isinstance(name, str)]


def _node_runs(
    graph: Graph | None,
    steps: Sequence[Any],
    calls: dict[str, list[Call]],
    status: str,
    failed_node: str | None,
    current: str | None,
    failure: str | None,
) -> dict[str, NodeRun]:
    if graph is None:
        return {}
    visits: dict[str, int] = defaultdict(int)
    last_task: dict[str, int] = {}
    for entry in steps:
        visits[entry.node_id] += 1
        last_task[entry.node_id] = entry.history_length + 1
    runs: dict[str, NodeRun] = {}
    for node in graph.nodes:
        made = tuple(calls.get(node.id, ()))
        seen = visits.get(node.id, 0) or len(made)
        if node.type == "start":
            seen = max(seen, 1)  # the start node sets no step: it is the run's input
        state = _state(node.type, seen, made, status, node.id == current)
        node_failure = made[-1].failure if made and made[-1].outcome == "failed" else None
        if node.id == failed_node:
            state, node_failure = NodeState.FAILED, node_failure or failure
        reset_at = last_task.get(node.id) or (made[-1].task_event_id if made else None)
        runs[node.id] = NodeRun(node.id, state, seen, made, node_failure, reset_at)
    return runs


def _state(kind: str, visits: int, calls: Sequence[Call], status: str, current: bool) -> NodeState:
    if not visits:
        return NodeState.NOT_REACHED
    last = calls[-1] if calls else None
    running = status == "running"
    if last is not None and last.outcome == "open":
        if not running:
            return NodeState.INTERRUPTED
        waiting = last.kind == "timer" or (last.kind == "activity" and last.started_at is None)
        return NodeState.WAITING if waiting else NodeState.RUNNING
    if last is not None and last.outcome == "canceled" and kind in WAIT_KINDS:
        # A wait's timeout timer is cancelled when what it waited for comes first (or when
        # the run is cancelled while it waits, and then the step was cancelled too).
        return NodeState.CANCELED if current and status == "canceled" else NodeState.COMPLETED
    if last is not None and last.outcome in ("failed", "canceled"):
        return NodeState.FAILED if last.outcome == "failed" else NodeState.CANCELED
    if current and kind in WAIT_KINDS and running:
        return NodeState.WAITING
    if current and not running and status not in ("completed", "failed", "continued_as_new"):
        return NodeState.INTERRUPTED
    return NodeState.COMPLETED


def _failed_node(
    failure: Failure | None, opened: dict[int, _Open], steps: Sequence[Any]
) -> str | None:
    """The node behind a run's failure: the failing activity's or child's, else the last step."""
    current = failure
    while current is not None and current.ByteSize():
        event_id = 0
        if current.HasField("activity_failure_info"):
            event_id = current.activity_failure_info.scheduled_event_id
        elif current.HasField("child_workflow_execution_failure_info"):
            event_id = current.child_workflow_execution_failure_info.initiated_event_id
        found = opened.get(event_id)
        if found is not None and found.node_id is not None:
            return found.node_id
        current = current.cause if current.HasField("cause") else None
    return steps[-1].node_id if steps else None


def _signal_waits(
    graph: Graph | None,
    steps: Sequence[Any],
    times: dict[int, datetime],
    signals: Sequence[tuple[str, datetime]],
    calls: dict[str, list[Call]],
    status: str,
) -> list[TimelineItem]:
    """A bar for each signal wait, from its start to the signal or timeout that ended it.

    Like the generated code, each wait takes the oldest signal of its name (of its names, for
    a wait for any) not taken yet, unless its timeout timer fired first.
    """
    if graph is None:
        return []
    taken: set[int] = set()
    items = []
    for entry in steps:
        node = graph.node(entry.node_id)
        start = times.get(entry.history_length)
        if node is None or node.type not in ("wait_signal", "wait_any") or start is None:
            continue
        wanted = _signals_waited(node.params)
        label = f"{node.label or node.id}: waiting for {' or '.join(wanted)}"
        timer = next(
            (
                call
                for call in calls.get(node.id, ())
                if call.kind == "timer" and call.task_event_id == entry.history_length + 1
            ),
            None,
        )
        if timer is not None and timer.outcome == "completed":
            items.append(
                TimelineItem(node.id, "signal wait", label, start, timer.closed_at, "timed out")
            )
            continue
        arrived = next(
            (i for i, (name, _) in enumerate(signals) if name in wanted and i not in taken), None
        )
        if arrived is not None:
            taken.add(arrived)
            end = max(signals[arrived][1], start)
            items.append(TimelineItem(node.id, "signal wait", label, start, end, "received"))
        else:
            outcome = "open" if status == "running" else "ended"
            items.append(TimelineItem(node.id, "signal wait", label, start, None, outcome))
    return items


def _local_activity(event: HistoryEvent, when: datetime) -> dict[str, Any]:
    """A local activity's marker as ``Call`` fields, plus its ``seq`` (the SDK's numbering).

    The marker is written once the call is over (its last attempt, result or failure); its
    input is not kept (a replay of the code gives it, see ``Trail``), and it ran on the worker
    that completed the workflow task.
    """
    attrs = event.marker_recorded_event_attributes
    data = decode(attrs.details["data"]) if "data" in attrs.details else None
    data = data if isinstance(data, dict) else {}
    seq = data.get("seq")
    scheduled = _proto_time(data.get("original_schedule_time")) or when
    fields: dict[str, Any] = {
        "seq": seq if isinstance(seq, int) else 0,
        "name": str(data.get("activity_type", "")),
        "event_id": event.event_id,
        "scheduled_at": scheduled,
        "started_at": scheduled,  # no queue: the worker that scheduled it ran it at once
        "call_id": str(data.get("activity_id", "")),
        "task_event_id": attrs.workflow_task_completed_event_id,
        "attempt": data.get("attempt") if isinstance(data.get("attempt"), int) else 1,
        "closed_at": when,
    }
    if attrs.HasField("failure"):
        fields |= {"outcome": "failed", "failure": failure_text(attrs.failure)}
    else:
        result = attrs.details.get("result")
        fields |= {"outcome": "completed", "output": decode(result) if result else None}
    return fields


def _proto_time(value: Any) -> datetime | None:
    """A ``{"seconds": s, "nanos": n}`` timestamp from a marker's JSON, in local time."""
    if not isinstance(value, dict) or not isinstance(value.get("seconds"), int):
        return None
    nanos = value.get("nanos")
    fraction = nanos / 1e9 if isinstance(nanos, int) else 0.0
    return datetime.fromtimestamp(value["seconds"] + fraction).astimezone()


def _labels(graph: Graph | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for node in graph.nodes if graph else ():
        if node.label:
            found[node.label].append(node.id)
    return found


def _by_summary(
    event: HistoryEvent,
    labels: dict[str, list[str]],
    *,
    kinds: Iterable[str] | None = None,
    graph: Graph | None = None,
) -> str | None:
    """The node whose label Temporal kept as the event's summary, when only one has it."""
    if not event.user_metadata.HasField("summary"):
        return None
    summary = decode([event.user_metadata.summary])
    candidates = labels.get(summary, []) if isinstance(summary, str) else []
    if kinds is not None and graph is not None:
        allowed = set(kinds)
        candidates = [n for n in candidates if (found := graph.node(n)) and found.type in allowed]
    return candidates[0] if len(candidates) == 1 else None


def _timer_steps(graph: Graph | None, steps: Sequence[Any]) -> dict[int, list[str]]:
    """Steps of timer-starting kinds, by the workflow task they began in."""
    found: dict[int, list[str]] = defaultdict(list)
    for entry in steps:
        node = graph.node(entry.node_id) if graph else None
        if node is not None and node.type in TIMER_KINDS:
            found[entry.history_length].append(entry.node_id)
    return found


def _pop(by_task: dict[int, list[str]], history_length: int) -> str | None:
    waiting = by_task.get(history_length)
    return waiting.pop(0) if waiting else None


def _next(nodes: Any) -> str | None:
    return next(nodes, None) or None if nodes is not None else None


def _attributes(event: HistoryEvent) -> Any:
    return getattr(event, event.WhichOneof("attributes") or "")


def _call_label(graph: Graph | None, item: _Open) -> str:
    node = graph.node(item.node_id) if graph and item.node_id else None
    name = (node.label or node.id) if node else item.call.name
    return name if item.call.kind != "timer" else f"{name} (timer)"
