"""The wait-until node: what validation accepts and refuses, and the code it compiles to."""

from __future__ import annotations

import asyncio
import copy
import json
import types
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from core.compiler import compile_graph
from core.graph import graph_from_dict
from core.runs import NodeState, build_trace
from tests.unit.test_run_trace import HISTORIES, trace_of
from tests.unit.test_validation import edge, example, node, problems_of


def greetings() -> dict[str, Any]:
    return copy.deepcopy(example("collect_greetings"))


def source_of(document: dict[str, Any]) -> str:
    return compile_graph(graph_from_dict(document)).files["workflow.py"]


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("done and", "Invalid syntax"),
        ("finished", "no node defines a variable 'finished'"),
        ("secret('key')", "secret() may be used only in activity arguments"),
        ("input.nothing", "the input has no field 'nothing'"),
    ],
)
def test_a_bad_condition_is_reported_on_its_field(condition, fragment):
    document = greetings()
    node(document, "wait")["params"]["condition"] = condition
    found = [(i, f, m) for _, i, f, m in problems_of(document)]
    assert found and all((i, f) == ("wait", "condition") for i, f, _ in found), found
    assert any(fragment in m for *_, m in found), found


def test_a_timeout_needs_its_edge_and_no_timeout_refuses_one():
    document = greetings()
    document["edges"].remove(edge(document, "wait", "timeout"))
    assert ("node", "wait", "edges.timeout", "connect the 'timeout' output") in problems_of(
        document
    )
    del node(document, "wait")["params"]["timeout"]
    assert problems_of(document) == []


def test_the_condition_may_read_a_variable_set_later_or_elsewhere():
    # Unset variables read None in a condition: waiting for another branch to set one is the
    # point of the node, so a variable some step sets anywhere is accepted.
    document = greetings()
    node(document, "wait")["params"]["condition"] = "done or later"
    document["nodes"].append(
        {"id": "set", "type": "set_variable", "params": {"name": "later", "expression": "1"}}
    )
    edge(document, "wait")["target"] = "set"
    document["edges"].append({"id": "e4", "source": "set", "target": "end"})
    assert problems_of(document) == []


def test_it_compiles_to_a_guarded_wait_and_other_graphs_go_without_the_helper():
    source = source_of(greetings())
    assert "await _wait_until(\n" in source
    assert 'lambda: self.vars.get("done"),' in source
    assert 'timeout=_duration(self.input["timeout_seconds"]),' in source
    assert "except asyncio.TimeoutError:" in source
    assert "_wait_until" not in source_of(example("approval_signal"))


def wait_until_of(document: dict[str, Any]) -> Any:
    """The generated ``_wait_until``, over a ``workflow.wait_condition`` that checks once."""
    module = types.ModuleType("generated_workflow")
    exec(compile(source_of(document), "workflow.py", "exec"), module.__dict__)

    async def wait_condition(condition: Any, **options: Any) -> None:
        assert condition(), "the fake wait checks once; the condition must hold"

    module.workflow = types.SimpleNamespace(wait_condition=wait_condition)
    return module._wait_until


def test_a_data_error_in_the_condition_ends_the_wait_and_is_raised_after_it():
    wait_until = wait_until_of(greetings())
    asyncio.run(wait_until(lambda: True))
    with pytest.raises(KeyError, match="missing"):
        asyncio.run(wait_until(lambda: {}["missing"]))
    with pytest.raises(TypeError):
        asyncio.run(wait_until(lambda: len(None)))  # type: ignore[arg-type]


def test_the_run_page_shows_the_wait_and_its_timeout_timer():
    done = trace_of("collect_greetings", "two_then_exit")
    assert done.exact and done.nodes["wait"].state is NodeState.COMPLETED
    [timer] = done.nodes["wait"].calls
    assert timer.kind == "timer" and timer.outcome == "canceled"
    # Cut after the timer started: the run is still waiting there.
    history = json.loads((HISTORIES / "collect_greetings" / "two_then_exit.json").read_text())
    started = [e["eventType"] for e in history["events"]].index("EVENT_TYPE_TIMER_STARTED")
    history["events"] = history["events"][: started + 1]
    events = WorkflowHistory.from_json("waiting", json.dumps(history)).events
    graph = graph_from_dict(greetings())
    assert build_trace(events, graph, None).nodes["wait"].state is NodeState.WAITING


def test_a_signal_wait_that_got_its_signal_is_completed_not_canceled():
    # Its timeout timer was cancelled, not the step.
    assert trace_of("approval_signal", "approved").nodes["wait"].state is NodeState.COMPLETED
