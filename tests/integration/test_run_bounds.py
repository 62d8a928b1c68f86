"""Run-time bounds on a real dev server: a step's bad data fails the run at once, naming the step,
and CPU-heavy loops pause instead of tripping Temporal's deadlock detector."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowHistory
from temporalio.worker import Replayer

from core.activities.pacing import PACE_ACTIVITY, PACE_GROWTH
from core.bounds import LOOP_FIRST_BUDGET, LOOP_PAUSES_PER_TASK
from core.compiler import compile_graph
from core.expressions import unbounded
from core.graph import graph_from_dict
from core.runs import build_trace
from core.runs.replay import replay_trail
from core.runs.trace import LOCAL_ACTIVITY_MARKER, decode
from core.runtime.bundle_store import BundleStore
from core.runtime.loader import LoadedBundle, load_bundle
from core.runtime.worker_host import WorkerHost
from tests.hostile_corpus import graph
from tests.loop_graphs import counting, nested_loops

E = EventType

# Every failing run must end within this: the bounds fail it at once, a retried workflow task
# would keep it running for ever.
DEADLINE = 20.0

TEXT_FIELDS: list[dict[str, Any]] = [
    {"name": "s", "type": "string", "default": "abc"},
    {"name": "n", "type": "integer", "default": 3},
    {"name": "items", "type": "array", "default": list(range(1000))},
    {"name": "lists", "type": "array", "default": [[1] * 1000] * 200},
    {"name": "d", "type": "number", "default": 1},
]


def serve(host: WorkerHost, tmp_path: Path, task_queue: str, document: dict) -> LoadedBundle:
    bundle = compile_graph(graph_from_dict(document), version=1, default_task_queue=task_queue)
    loaded = load_bundle(BundleStore(tmp_path / "bundles").write(bundle))
    host.add_worker(task_queue, [loaded])
    return loaded


def start(host: WorkerHost, loaded: LoadedBundle, task_queue: str, run_input: Any) -> Any:
    return host.call(
        host.client.start_workflow(
            loaded.workflow_type,
            run_input,
            id=f"bounds-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=5),
        )
    )


def outcome(host: WorkerHost, handle: WorkflowHandle, timeout: float = DEADLINE) -> Any:
    """The run's result, or the message of its failure; a run still going is an error."""

    async def wait() -> Any:
        try:
            return await asyncio.wait_for(handle.result(), timeout)
        except WorkflowFailureError as error:
            return f"FAILED: {getattr(error.cause, 'message', error.cause)}"

    try:
        return host.call(wait())
    finally:
        with contextlib.suppress(Exception):  # already ended: nothing to terminate
            host.call(handle.terminate("test over"))


def set_step(expression: str) -> dict[str, Any]:
    params = {"name": "out", "expression": expression}
    return {"id": "grow", "type": "set_variable", "params": params}


# -- a step's own errors fail the run, naming the step -------------------------------------------

BOMBS = [
    ("input.s * input.n", {"n": 10**12}, "the text built is 3,000,000,000,000 characters"),
    ("str(input.items) * 9999", {}, "the text built is 48,895,110 characters"),
    ("input.s * 10**12", {}, "the text built is 3,000,000,000,000 characters"),
    ("sum(input.lists, [])", {"lists": [[1] * 1000] * 200}, "the list built has 101,000 items"),
    ("(input.n * input.n) ** 64", {"n": 10**40}, "the number built has about"),
    ("f'{input.items}' * 9999", {}, "the text built is 48,895,110 characters"),
    ("input.s % 1", {"s": "%0999999999d"}, "% formatting of text is not allowed"),
    ("int(input.d)", {"d": 1e308 * 10}, "OverflowError"),
]


@pytest.mark.parametrize(("expression", "run_input", "message"), BOMBS, ids=[b[0] for b in BOMBS])
def test_a_size_bomb_fails_the_run_at_once_naming_the_step(
    host: WorkerHost,
    tmp_path: Path,
    task_queue: str,
    expression: str,
    run_input: dict,
    message: str,
) -> None:
    document = graph("bombs", [set_step(expression)], fields=TEXT_FIELDS)
    loaded = serve(host, tmp_path, task_queue, document)
    started = time.monotonic()
    result = outcome(host, start(host, loaded, task_queue, run_input))
    assert isinstance(result, str), str(result)[:200]
    assert result.startswith("FAILED: step 'grow' failed:"), result
    assert message in result
    assert time.monotonic() - started < DEADLINE


@pytest.mark.parametrize(
    ("duration", "error"),
    [
        (-5, "the duration is -5 seconds; it must be between 0 and"),
        ("soon", "a duration is a number of seconds, not str"),
        (1e300, "the duration is 1e+300 seconds"),
        ({"s": 1}, "a duration is a number of seconds, not dict"),
        (None, "a duration is a number of seconds, not NoneType"),
    ],
)
def test_a_bad_timer_duration_fails_the_run_at_once_naming_the_step(
    host: WorkerHost, tmp_path: Path, task_queue: str, duration: Any, error: str
) -> None:
    timer = {"id": "wait", "type": "timer", "params": {"duration": {"expr": "input.d"}}}
    loaded = serve(host, tmp_path, task_queue, graph("timers", [timer], fields=TEXT_FIELDS))
    result = outcome(host, start(host, loaded, task_queue, {"d": duration}))
    assert isinstance(result, str), str(result)[:200]
    assert result.startswith("FAILED: step 'wait' failed:"), result
    assert error in result


def test_a_good_timer_duration_from_an_expression_still_waits(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    timer = {"id": "wait", "type": "timer", "params": {"duration": {"expr": "input.d"}}}
    nodes = [timer, set_step("'woke'")]
    loaded = serve(host, tmp_path, task_queue, graph("timers", nodes, fields=TEXT_FIELDS))
    assert outcome(host, start(host, loaded, task_queue, {"d": 0.5})) == "woke"


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        # Each text is under the text limit; together they are over what a payload may carry.
        ("[input.s * 999999] * 2", "LimitError: the data sent would be at least 2,000,0"),
        # JSON has no tuple keys: the payload converter refuses the argument.
        ("{(1, 2): input.s}", "TypeError: keys must be str, int, float, bool or None"),
    ],
)
def test_data_that_cannot_be_sent_fails_the_step_that_sends_it(
    host: WorkerHost, tmp_path: Path, task_queue: str, argument: str, message: str
) -> None:
    echo = {
        "id": "send",
        "type": "activity",
        "params": {"activity": "echo", "args": {"value": {"expr": argument}}},
    }
    loaded = serve(host, tmp_path, task_queue, graph("sends", [echo], fields=TEXT_FIELDS))
    result = outcome(host, start(host, loaded, task_queue, {"s": "a"}))
    assert isinstance(result, str), str(result)[:200]
    assert result.startswith("FAILED: step 'send' failed:"), result
    assert message in result


# -- CPU-heavy loops -----------------------------------------------------------------------------

# About half a millisecond of work an iteration: 12,000 take some 4 s, twice the 2 s Temporal
# allows one workflow task, while the stretches between pauses take a tenth of a second.
HEAVY_STEP = {
    "id": "touch",
    "type": "set_variable",
    "params": {
        "name": "count",
        "expression": "count + len(str(input.blob)) // len(str(input.blob))",
    },
}
HEAVY_FIELDS = {"blob": list(range(4000))}


def heavy_loops() -> dict[str, Any]:
    document = nested_loops(120, 100, step=HEAVY_STEP)
    fields = document["nodes"][0]["params"]["input_fields"]
    fields.append({"name": "blob", "type": "array", "default": HEAVY_FIELDS["blob"]})
    return document


def pause_budgets(history: WorkflowHistory) -> list[int]:
    """The budgets a run's loop pauses answered, in order (from their markers)."""
    found = []
    for event in history.events:
        attributes = event.marker_recorded_event_attributes
        if event.event_type != E.EVENT_TYPE_MARKER_RECORDED:
            continue
        assert attributes.marker_name == LOCAL_ACTIVITY_MARKER
        if decode(attributes.details["data"])["activity_type"] == PACE_ACTIVITY:
            found.append(decode(attributes.details["result"])["budget"])
    return found


def events_of(history: WorkflowHistory, *kinds: EventType.ValueType) -> list[Any]:
    return [event for event in history.events if event.event_type in kinds]


def test_cpu_heavy_nested_loops_pause_and_complete_and_replay(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    loaded = serve(host, tmp_path, task_queue, heavy_loops())
    handle = start(host, loaded, task_queue, {})
    # A query waits for the workflow task in progress to end: the loops end theirs about
    # every second (local-activity pauses alone would keep one open up to 8 s, when the SDK
    # must report it).
    host.call(asyncio.sleep(1))
    state = host.call(asyncio.wait_for(handle.query("state"), 5))
    assert state.get("count", 0) < 12_000  # answered while the loops ran
    assert outcome(host, handle, timeout=90) == 12_000
    history = host.call(handle.fetch_history())
    failed = events_of(
        history, E.EVENT_TYPE_WORKFLOW_TASK_FAILED, E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
    )
    assert failed == []
    assert len(events_of(history, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)) >= 3
    # Pauses are local activities, each sizing the next stretch to a tenth of a second at the
    # pace measured: a few hundred of these iterations (over 2 s for 12,000, see below), never
    # the thousand a fixed budget ran before (half a second or more).
    budgets = pause_budgets(history)
    assert max(budgets) < 1000
    assert len(budgets) > 12
    # After LOOP_PAUSES_PER_TASK of them (about a second of work) a timer ends the workflow
    # task, so the work is saved and signals and queries get in.
    per_task = [0]
    for event in history.events:
        if event.event_type == E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            per_task.append(0)
        elif event.event_type == E.EVENT_TYPE_MARKER_RECORDED:
            per_task[-1] += 1
    assert max(per_task) == LOOP_PAUSES_PER_TASK
    assert len(events_of(history, E.EVENT_TYPE_TIMER_STARTED)) >= len(budgets) // 11
    # The pauses' answers are in the history: replaying it gives the same pauses.
    replayer = Replayer(workflows=[loaded.workflow_class])
    host.call(replayer.replay_workflow(history))


def test_a_light_loop_learns_a_larger_budget_and_pauses_rarely(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    # 20,000 iterations of count + 1 (bench/loop.py's set_variable body) take a few ms.
    loaded = serve(host, tmp_path, task_queue, counting())
    handle = start(host, loaded, task_queue, {"n": 20_000})
    assert outcome(host, handle) == 20_000
    history = host.call(handle.fetch_history())
    budgets = pause_budgets(history)
    # Quiet, at 100 (now 1,000), 1,100 (10,000) and 11,100 (100,000), and the last stretch
    # fits; on a busy machine a stretch may measure slower, and grow less. Either way far
    # fewer pauses than the 20 a fixed budget of 1,000 made.
    assert budgets[0] <= LOOP_FIRST_BUDGET * PACE_GROWTH
    assert max(budgets) > 1000 and len(budgets) <= 10
    # No timer, no trip to the server: the whole run is one workflow task.
    assert events_of(history, E.EVENT_TYPE_TIMER_STARTED) == []
    assert len(events_of(history, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)) == 1
    replayer = Replayer(workflows=[loaded.workflow_class])
    host.call(replayer.replay_workflow(history))


def test_pauses_are_not_steps_in_the_run_trace(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    # A local echo in each iteration: its calls and the pauses share the SDK's numbering of
    # local activities, which the trace reads the echo's inputs by.
    echo = {
        "id": "say",
        "type": "activity",
        "params": {"activity": "echo", "args": {"value": {"expr": "count"}}},
    }
    loaded = serve(host, tmp_path, task_queue, counting(step=echo))
    handle = start(host, loaded, task_queue, {"n": 1500})
    assert outcome(host, handle, timeout=60) == 1500
    history = host.call(handle.fetch_history())
    assert pause_budgets(history)
    trail = host.call(replay_trail(loaded.workflow_class, history))
    trace = build_trace(history.events, graph_from_dict(counting(step=echo)), trail)
    assert trace.exact
    calls = trace.nodes["say"].calls
    assert [(call.input, call.output) for call in calls] == [({"value": i}, i) for i in range(1500)]
    assert all(call.name == "echo" for node in trace.nodes.values() for call in node.calls)
    assert not [item for item in trace.timeline if PACE_ACTIVITY in item.label]


def test_without_pauses_the_same_loops_trip_the_deadlock_detector(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    # What the pauses prevent: the workflow task fails and is retried, the run never ends.
    with unbounded():
        loaded = serve(host, tmp_path, task_queue, heavy_loops())
    handle = start(host, loaded, task_queue, {})

    async def deadlocked() -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            async for event in handle.fetch_history_events():
                if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                    return "deadlock" in str(event).lower()
            await asyncio.sleep(0.5)
        return False

    try:
        assert host.call(deadlocked())
    finally:
        host.call(handle.terminate("test over"))
