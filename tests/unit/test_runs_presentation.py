"""How a run's nodes, timeline and durations are shown on the run page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.graph import Graph, Node, WorkflowMeta
from core.runs import Call, NodeRun, NodeState, RunTrace, TimelineItem
from core.runs.presentation import (
    STATE_STYLES,
    call_timing,
    failed_step,
    node_look,
    timeline_bars,
)

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
CHARGE = Node("charge", "activity", "Charge card")


def _call(attempt: int = 1, outcome: str = "completed", **changes) -> Call:
    return Call("activity", "fail", 5, T0, attempt=attempt, outcome=outcome, **changes)


def _trace(failed: str | None) -> RunTrace:
    return RunTrace("failed", {}, failed, failed, "card declined", {}, None, (), None, 9, True)


def test_a_failed_node_after_retries_says_so_in_red():
    run = NodeRun("charge", NodeState.FAILED, 1, (_call(3, "failed"),), "card declined")
    look = node_look(CHARGE, run)
    assert (look.title, look.notes) == ("Charge card", ("failed", "attempt 3"))
    assert look.style.border == STATE_STYLES[NodeState.FAILED].border == "#DC2626"


def test_a_node_never_reached_is_faded_and_says_not_reached():
    look = node_look(Node("end", "end"), None)
    assert look.state is NodeState.NOT_REACHED
    assert (look.title, look.notes) == ("end", ("not reached",))
    assert look.style.faded


def test_a_running_activity_shows_its_attempt_even_the_first():
    run = NodeRun("charge", NodeState.RUNNING, 1, (_call(1, "open", started_at=T0),))
    assert node_look(CHARGE, run).notes == ("running", "attempt 1")


def test_the_pending_attempt_wins_over_the_history():
    # A retrying activity has no started event yet: only Temporal's pending entry knows.
    run = NodeRun("charge", NodeState.WAITING, 1, (_call(1, "open"),))
    assert node_look(CHARGE, run, pending_attempt=4).notes == ("waiting", "attempt 4")


def test_loops_show_their_visits_and_earlier_retries():
    calls = (_call(2), _call(1), _call(1))
    run = NodeRun("charge", NodeState.COMPLETED, 3, calls)
    assert node_look(CHARGE, run).notes == ("completed", "×3", "retried")


def test_a_plain_completed_step_says_only_completed():
    run = NodeRun("charge", NodeState.COMPLETED, 1, (_call(),))
    assert node_look(CHARGE, run).notes == ("completed",)


def test_every_state_has_a_distinct_wording():
    titles = [style.title for style in STATE_STYLES.values()]
    assert set(STATE_STYLES) == set(NodeState) and len(set(titles)) == len(titles)


def test_the_failed_step_is_named_by_label_and_id():
    graph = Graph(WorkflowMeta("pay"), (CHARGE,))
    assert failed_step(_trace("charge"), graph) == "failed at step Charge card (charge)"
    assert failed_step(_trace("gone"), graph) == "failed at step gone"
    assert failed_step(_trace(None), graph) is None


def test_open_timeline_items_end_now_or_when_the_run_closed_and_signals_are_points():
    items = [
        TimelineItem("a", "activity", "A", T0, T0 + timedelta(seconds=1), "completed"),
        TimelineItem("b", "timer", "B (timer)", T0, None, "open"),
        TimelineItem(None, "signal", "approve", T0, None, "received"),
    ]
    now = T0 + timedelta(seconds=10)
    done, timer, signal = timeline_bars(items, now=now)
    assert (done.end, done.open) == (T0 + timedelta(seconds=1), False)
    assert (timer.end, timer.open) == (now, True)
    assert signal.end is None and not signal.open and signal.colour == "#7C3AED"
    closed = T0 + timedelta(seconds=3)
    assert timeline_bars(items, now=now, closed_at=closed)[1].end == closed


def test_a_call_waited_then_ran():
    call = _call(started_at=T0 + timedelta(milliseconds=20), closed_at=T0 + timedelta(seconds=2.02))
    assert call_timing(call) == ("20 ms", "2.0 s")
    assert call_timing(_call(outcome="open")) == ("", "")
