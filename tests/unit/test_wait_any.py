"""The wait-for-any-signal node: what validation accepts and refuses, and the code it compiles
to."""

from __future__ import annotations

import copy
import types
from typing import Any

import pytest

from core.compiler import compile_graph
from core.graph import graph_from_dict
from core.runs import NodeState
from tests.unit.test_run_trace import trace_of
from tests.unit.test_validation import assert_problem, edge, example, node, problems_of


def decision() -> dict[str, Any]:
    return copy.deepcopy(example("approve_or_reject"))


def test_the_example_is_valid_and_each_branch_defines_the_payload_variable_but_timeout():
    document = decision()
    assert problems_of(document) == []
    node(document, "timed_out")["params"]["expression"] = "'timed out for ' + decision.by"
    assert_problem(document, "node", "timed_out", "expression", "may not be set on every path")


@pytest.mark.parametrize(
    ("signals", "fragment"),
    [
        (["approve"], "list two or more signals"),
        (["approve", "approve"], "signal 'approve' is declared twice"),
        (["approve", "timeout"], "signal 'timeout' cannot be waited for here"),
        (["approve", "not a name"], "signals[1]"),
    ],
)
def test_the_signal_list_is_refused_in_plain_words(signals, fragment):
    document = decision()
    node(document, "wait")["params"]["signals"] = signals
    found = problems_of(document)
    assert any(i == "wait" and (fragment in m or fragment in f) for _, i, f, m in found), found


def test_an_undeclared_signal_is_reported_at_its_place_in_the_list():
    document = decision()
    node(document, "wait")["params"]["signals"] = ["approve", "reject", "escalate"]
    document["edges"].append({"id": "e9", "source": "wait", "target": "end", "handle": "escalate"})
    assert_problem(document, "node", "wait", "signals.2", "signal 'escalate' is not declared")


def test_every_signal_needs_its_branch_and_the_timeout_too():
    document = decision()
    document["edges"].remove(edge(document, "wait", "reject"))
    assert_problem(document, "node", "wait", "edges.reject", "connect the 'reject' output")
    document = decision()
    document["edges"].remove(edge(document, "wait", "timeout"))
    assert_problem(document, "node", "wait", "edges.timeout", "connect the 'timeout' output")


def test_it_compiles_to_one_wait_over_every_queue_and_a_branch_per_signal():
    source = compile_graph(graph_from_dict(decision())).files["workflow.py"]
    assert 'lambda: bool(self.signals["approve"] or self.signals["reject"]),' in source
    assert 'signal_1 = _first_arrived(self.arrivals, self.signals, ("approve", "reject"))' in source
    assert 'if signal_1 == "approve":\n' in source
    assert 'self.vars["decision"] = self.signals["reject"].pop(0)' in source
    assert "except asyncio.TimeoutError:" in source
    # Both signals are queued for the wait (no step takes them otherwise).
    assert 'self.signals: dict[str, list[Any]] = {"approve": [], "reject": []}' in source
    without_timeout = decision()
    del node(without_timeout, "wait")["params"]["timeout"]
    without_timeout["edges"].remove(edge(without_timeout, "wait", "timeout"))
    without_timeout["nodes"].remove(node(without_timeout, "timed_out"))
    without_timeout["edges"].remove(edge(without_timeout, "timed_out"))
    source = compile_graph(graph_from_dict(without_timeout)).files["workflow.py"]
    assert "asyncio.TimeoutError" not in source
    compile(source, "workflow.py", "exec")


def test_the_run_page_shows_the_branch_taken_and_the_wait_for_either_signal():
    rejected = trace_of("approve_or_reject", "rejected")
    assert rejected.exact and rejected.nodes["wait"].state is NodeState.COMPLETED
    assert rejected.nodes["rejected"].state is NodeState.COMPLETED
    assert rejected.nodes["approved"].state is NodeState.NOT_REACHED
    [bar] = [item for item in rejected.timeline if item.kind == "signal wait"]
    assert bar.label == "Wait for a decision: waiting for approve or reject"
    assert bar.outcome == "received"
    timed_out = trace_of("approve_or_reject", "timed_out")
    [timer] = timed_out.nodes["wait"].calls
    assert timer.outcome == "completed" and timed_out.nodes["timed_out"].visits == 1


def first_arrived_of(document: dict[str, Any]) -> Any:
    """The generated ``_first_arrived`` of a graph."""
    module = types.ModuleType("generated_workflow")
    exec(
        compile(compile_graph(graph_from_dict(document)).files["workflow.py"], "w", "exec"),
        module.__dict__,
    )
    return module._first_arrived


def test_the_signal_whose_oldest_queued_payload_came_first_is_taken():
    first = first_arrived_of(decision())
    names = ("approve", "reject")
    assert first(["reject", "approve"], {"approve": [1], "reject": [2]}, names) == "reject"
    # The first reject was taken (by a wait for signal, say): the queued one came after approve.
    queues = {"approve": [1], "reject": [3]}
    arrivals = ["reject", "approve", "reject"]
    assert first(arrivals, queues, names) == "approve"
    assert arrivals == ["approve", "reject"]  # the record drops what was taken
    # Payloads queued before any arrival was recorded (carried over) are the oldest.
    assert first(["approve"], {"approve": [1], "reject": [2]}, names) == "reject"
    assert first([], {"approve": [], "reject": [2]}, names) == "reject"


def test_only_graphs_with_a_wait_for_any_record_arrivals():
    assert (
        'self.arrivals.append("reject")'
        in compile_graph(graph_from_dict(decision())).files["workflow.py"]
    )
    assert (
        "arrivals"
        not in compile_graph(graph_from_dict(example("approval_signal"))).files["workflow.py"]
    )
