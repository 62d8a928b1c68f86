"""Recorded histories laid over their graphs: each node's state from a replay of the real code."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory

from core.graph import graph_from_dict
from core.runs import NodeState, RunTrace, build_trace
from core.runs.replay import replay_trail

ROOT = Path(__file__).resolve().parents[2]
HISTORIES = ROOT / "tests" / "histories"
S = NodeState


def trace_of(example: str, scenario: str, *, replay: bool = True) -> RunTrace:
    folder = HISTORIES / example
    history = WorkflowHistory.from_json(
        f"{example}-{scenario}", (folder / f"{scenario}.json").read_text(encoding="utf-8")
    )
    graph = graph_from_dict(json.loads((ROOT / "examples" / f"{example}.json").read_text()))
    trail = (
        asyncio.run(replay_trail(_workflow_class(folder / "workflow.py"), history))
        if replay
        else None
    )
    return build_trace(history.events, graph, trail)


def _workflow_class(path: Path) -> type:
    spec = importlib.util.spec_from_file_location(f"recorded_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and workflow._Definition.from_class(value) is not None
    )


def states(trace: RunTrace) -> dict[str, NodeState]:
    return {node_id: run.state for node_id, run in trace.nodes.items()}


def test_an_error_branch_taken_after_retries() -> None:
    trace = trace_of("retry_error_branch", "service_down")

    assert trace.exact and trace.status == "completed"
    assert states(trace) == {
        "start": S.COMPLETED,
        "call": S.FAILED,
        "fallback": S.COMPLETED,
        "success": S.NOT_REACHED,
        "end": S.COMPLETED,
    }
    call = trace.nodes["call"]
    assert call.retried and call.calls[-1].attempt == 3
    assert "the service is down" in (call.failure or "")
    assert trace.failed_node_id is None  # the run itself completed


def test_the_branch_a_condition_took_without_events_of_its_own() -> None:
    trace = trace_of("http_fetch_condition", "ok")

    assert states(trace) == {
        "start": S.COMPLETED,
        "fetch": S.COMPLETED,
        "ok": S.COMPLETED,
        "found": S.COMPLETED,
        "missing": S.NOT_REACHED,
        "failed": S.NOT_REACHED,
        "end": S.COMPLETED,
    }


def test_an_error_edge_taken_by_a_handled_failure() -> None:
    # Recorded with a URL that did not resolve: the request failed and the error edge ran.
    trace = trace_of("http_fetch_condition", "missing")

    assert trace.status == "completed"
    assert trace.nodes["fetch"].state is S.FAILED
    assert trace.nodes["failed"].state is S.COMPLETED
    assert {trace.nodes[n].state for n in ("ok", "found", "missing")} == {S.NOT_REACHED}


def test_a_loop_counts_the_visits_of_its_body() -> None:
    trace = trace_of("foreach_loop", "three_items")

    shout = trace.nodes["shout"]
    assert (shout.visits, len(shout.calls)) == (3, 3)
    assert [call.output for call in shout.calls] == ["A!", "B!", "C!"]


@pytest.mark.parametrize(
    ("scenario", "reached", "not_reached"),
    [("approved", "approved", "timed_out"), ("timed_out", "timed_out", "approved")],
)
def test_a_signal_wait_with_a_timeout(scenario: str, reached: str, not_reached: str) -> None:
    trace = trace_of("approval_signal", scenario)

    assert trace.nodes[reached].state is S.COMPLETED
    assert trace.nodes[not_reached].state is S.NOT_REACHED
    [wait] = [item for item in trace.timeline if item.kind == "signal wait"]
    assert wait.outcome == ("timed out" if scenario == "timed_out" else "received")
    assert wait.end is not None and wait.end >= wait.start


def test_every_recorded_history_replays_into_an_exact_trace() -> None:
    for folder in sorted(p for p in HISTORIES.iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.json")):
            trace = trace_of(folder.name, path.stem)
            assert trace.exact, f"{folder.name}/{path.stem}: {trace.replay_error}"
            assert trace.nodes["start"].state is S.COMPLETED


def test_without_the_code_labels_still_place_activities() -> None:
    trace = trace_of("retry_error_branch", "service_down", replay=False)

    assert not trace.exact
    assert trace.nodes["call"].state is S.FAILED
    assert trace.nodes["call"].calls[-1].attempt == 3


def test_a_step_can_be_reset_to_even_without_the_code() -> None:
    exact = trace_of("retry_error_branch", "service_down")
    by_label = trace_of("retry_error_branch", "service_down", replay=False)

    # The workflow task that scheduled the call: resetting there runs the step again.
    assert by_label.nodes["call"].reset_event_id == exact.nodes["call"].reset_event_id
    assert exact.nodes["call"].reset_event_id is not None


def test_accepted_workflow_updates_are_on_the_timeline_and_refused_ones_are_not() -> None:
    trace = trace_of("guest_list", "two_then_close")  # invite Ann twice (refused), Bob, close
    updates = [(item.label, item.outcome) for item in trace.timeline if item.kind == "update"]
    assert updates == [("invite", "completed"), ("invite", "completed"), ("close", "completed")]
    assert states(trace)["end"] is S.COMPLETED


@pytest.mark.parametrize(
    ("scenario", "visits"),
    [
        ("to_ten", {"step": 10, "skip": 5, "add": 5, "stop": 0}),
        ("capped", {"step": 4, "skip": 2, "add": 2, "stop": 1}),
    ],
)
def test_a_while_loop_with_continue_and_break(scenario: str, visits: dict[str, int]) -> None:
    trace = trace_of("count_evens", scenario)

    assert trace.exact, trace.replay_error
    assert trace.nodes["count_up"].state is S.COMPLETED
    assert trace.nodes["end"].state is S.COMPLETED
    for node_id, times in visits.items():
        assert trace.nodes[node_id].visits == times, node_id


def test_a_loop_s_pauses_are_not_steps_calls() -> None:
    # 3,000 iterations pause twice (local activities); the trail numbers them with the steps'
    # local activities, the trace leaves them out.
    trace = trace_of("count_evens", "paced")
    assert trace.exact and trace.result == {"count": 3000, "total": 1500 * 1501}
    assert trace.nodes["step"].visits == 3000
    assert not [call for run in trace.nodes.values() for call in run.calls]
    assert not trace.timeline
