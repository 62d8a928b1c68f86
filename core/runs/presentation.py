"""How a run is shown: each node's text and colours by what happened, timeline bars, durations.

Pure values for the run page, so what a node says ("failed · attempt 3 · ×2") and which colour
a state gets are decided and tested in one place, away from Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.db import ExecutionStatus
from core.graph import Graph, Node
from core.runs.listing import format_duration, step_name
from core.runs.trace import Call, NodeRun, NodeState, RunTrace, TimelineItem


@dataclass(frozen=True)
class StateStyle:
    """The colours and wording of one node state."""

    title: str
    background: str
    border: str
    #: The nearest of Streamlit's named colours, for badges and the legend.
    badge: str
    #: Drawn faded (not reached): the eye should skip it.
    faded: bool = False


#: Each node state's look; the legend lists them in this order.
STATE_STYLES: dict[NodeState, StateStyle] = {
    NodeState.COMPLETED: StateStyle("completed", "#DCFCE7", "#16A34A", "green"),
    NodeState.FAILED: StateStyle("failed", "#FEE2E2", "#DC2626", "red"),
    NodeState.RUNNING: StateStyle("running", "#DBEAFE", "#2563EB", "blue"),
    NodeState.WAITING: StateStyle("waiting", "#FEF3C7", "#D97706", "orange"),
    NodeState.CANCELED: StateStyle("canceled", "#E5E7EB", "#4B5563", "gray"),
    NodeState.INTERRUPTED: StateStyle("interrupted", "#E5E7EB", "#4B5563", "gray"),
    NodeState.NOT_REACHED: StateStyle("not reached", "#F9FAFB", "#9CA3AF", "gray", faded=True),
}

#: Badge colour of each run status, wherever a status shows as a badge (the dashboard's
#: chart colours, core.dashboard_presentation.STATUS_COLOURS, are shades of the same hues).
STATUS_BADGES: dict[ExecutionStatus, str] = {
    ExecutionStatus.RUNNING: "blue",
    ExecutionStatus.COMPLETED: "green",
    ExecutionStatus.FAILED: "red",
    ExecutionStatus.TIMED_OUT: "red",
    ExecutionStatus.CANCELED: "orange",
    ExecutionStatus.TERMINATED: "orange",
    ExecutionStatus.CONTINUED_AS_NEW: "violet",
}

#: Timeline colours by outcome (bars and signal markers).
OUTCOME_COLOURS: dict[str, str] = {
    "completed": "#16A34A",
    "failed": "#DC2626",
    "open": "#2563EB",
    "canceled": "#6B7280",
    "ended": "#6B7280",
    "received": "#7C3AED",
}


@dataclass(frozen=True)
class NodeLook:
    """What the graph shows on one node of a run.

    Attributes:
        state: what happened there.
        title: the node's label (its id when it has none).
        notes: state, then attempt, visits and retries, e.g. ``("failed", "attempt 3")``.
        style: the state's colours.
    """

    state: NodeState
    title: str
    notes: tuple[str, ...]
    style: StateStyle


@dataclass(frozen=True)
class TimelineBar:
    """One row of the timeline chart: a bar from ``start`` to ``end``, or a point (signals).

    ``open`` bars were still in progress and end at the time the chart was drawn (or when the
    run closed).
    """

    label: str
    kind: str
    start: datetime
    end: datetime | None
    outcome: str
    open: bool
    node_id: str | None

    @property
    def colour(self) -> str:
        """The outcome's colour."""
        return OUTCOME_COLOURS.get(self.outcome, "#6B7280")


def node_title(node: Node) -> str:
    """A node's name on the run page: its label, else its id."""
    return node.label or node.id


def node_look(node: Node, run: NodeRun | None, *, pending_attempt: int | None = None) -> NodeLook:
    """The look of ``node`` in a run (``run`` None: the trace has no entry, so not reached).

    ``pending_attempt`` is Temporal's current attempt of the node's activity in flight: a
    retrying activity's history has no started event until it ends, so only the pending
    activity knows the attempt in progress.
    """
    state = run.state if run is not None else NodeState.NOT_REACHED
    style = STATE_STYLES[state]
    notes = [style.title]
    attempt = _attempt(run, pending_attempt)
    in_progress = state in (NodeState.RUNNING, NodeState.WAITING)
    if attempt is not None and (attempt > 1 or in_progress):
        notes.append(f"attempt {attempt}")
    if run is not None and run.visits > 1:
        notes.append(f"×{run.visits}")
    if run is not None and run.retried and not (attempt and attempt > 1):
        notes.append("retried")
    return NodeLook(state, node_title(node), tuple(notes), style)


def _attempt(run: NodeRun | None, pending_attempt: int | None) -> int | None:
    if pending_attempt is not None:
        return pending_attempt
    last = run.last_call if run is not None else None
    return last.attempt if last is not None and last.kind == "activity" else None


def failed_step(trace: RunTrace, graph: Graph | None) -> str | None:
    """``failed at step <label> (<node id>)`` for a failed run whose step is known."""
    node_id = trace.failed_node_id
    if node_id is None:
        return None
    node = graph.node(node_id) if graph is not None else None
    return f"failed at step {step_name(node_id, node.label if node else None)}"


def timeline_bars(
    items: Iterable[TimelineItem], *, now: datetime, closed_at: datetime | None = None
) -> list[TimelineBar]:
    """The timeline's rows: open items end at ``closed_at`` (a closed run) or ``now``."""
    stop = closed_at or now
    bars = []
    for item in items:
        point = item.kind == "signal"
        still_open = item.end is None and not point
        bars.append(
            TimelineBar(
                label=item.label,
                kind=item.kind,
                start=item.start,
                end=None if point else (item.end or max(stop, item.start)),
                outcome=item.outcome,
                open=still_open,
                node_id=item.node_id,
            )
        )
    return bars


def call_timing(call: Call) -> tuple[str, str]:
    """How long a call waited to be picked up and how long it then ran (empty when unknown)."""
    waited = call.started_at - call.scheduled_at if call.started_at else None
    ran = call.closed_at - call.started_at if call.closed_at and call.started_at else None
    if ran is None and call.closed_at is not None:
        ran = call.closed_at - call.scheduled_at  # timers and children without a start event
    return format_duration(waited), format_duration(ran)
