"""The parallel for-each node: validation of its body (no run ending, no writes to outer
variables), and the code it compiles to."""

from __future__ import annotations

import copy
import types
from typing import Any

from core.compiler import compile_graph
from core.graph import graph_from_dict
from core.runs import NodeState
from tests.unit.test_run_trace import trace_of
from tests.unit.test_validation import assert_problem, edge, example, node, problems_of


def shouts() -> dict[str, Any]:
    return copy.deepcopy(example("parallel_foreach"))


def source_of(document: dict[str, Any]) -> str:
    return compile_graph(graph_from_dict(document)).files["workflow.py"]


def test_the_example_is_valid_and_compiles_to_bounded_gathered_iterations():
    document = shouts()
    assert problems_of(document) == []
    source = source_of(document)
    assert "slots_1 = asyncio.Semaphore(3)" in source
    assert "async with slots_1:" in source
    assert "self = _Iteration(run)" in source
    assert 'return self.vars["shouted"]' in source
    assert "await asyncio.gather(*[iteration_1(self, item_1) for item_1 in items_1])" in source
    assert "class _Iteration:" in source
    assert "class _Iteration:" not in source_of(example("foreach_loop"))


def test_the_limit_and_list_length_are_bounded():
    document = shouts()
    node(document, "each")["params"]["limit"] = 0
    assert_problem(document, "node", "each", "limit", "must be 1 or more")
    node(document, "each")["params"].update(limit=5, max_iterations=20_000)
    assert_problem(document, "node", "each", "max_iterations", "10,000 or less")


def test_a_body_step_may_not_set_a_variable_set_outside_the_body():
    document = shouts()
    document["nodes"].insert(
        1, {"id": "first", "type": "set_variable", "params": {"name": "shouted", "expression": "1"}}
    )
    edge(document, "start")["target"] = "first"
    document["edges"].append({"id": "e9", "source": "first", "target": "each", "handle": "next"})
    assert_problem(
        document, "node", "shout", "params", "sets variable 'shouted', which node 'first' also sets"
    )
    # The loop's own result is outside too.
    document = shouts()
    node(document, "shout")["params"]["result_variable"] = "results"
    node(document, "each")["params"]["collect"] = "results"
    assert_problem(document, "node", "shout", "params", "variable 'results', which node 'each'")


def test_the_body_may_not_end_the_run():
    document = shouts()
    document["nodes"].append(
        {"id": "check", "type": "condition", "params": {"expression": "shouted == 'X!'"}}
    )
    document["nodes"].append({"id": "stop", "type": "end", "params": {"result": "shouted"}})
    edge(document, "shout")["target"] = "check"
    document["edges"] += [
        {"id": "e7", "source": "check", "target": "stop", "handle": "true"},
        {"id": "e8", "source": "check", "target": "each", "handle": "false"},
    ]
    assert_problem(document, "node", "stop", "edges", "an iteration cannot end the run")


def test_a_branching_body_compiles():
    # Both branches lead back to the loop: the body ends in the iteration's return.
    document = shouts()
    document["nodes"].append(
        {"id": "check", "type": "condition", "params": {"expression": "item == 'a'"}}
    )
    edge(document, "each", "body")["target"] = "check"
    document["edges"] += [
        {"id": "e7", "source": "check", "target": "shout", "handle": "true"},
        {"id": "e8", "source": "check", "target": "each", "handle": "false"},
    ]
    node(document, "each")["params"].update(collect=None, result_variable=None)
    document["nodes"][-2]["params"]["result"] = "1"  # the end node
    assert problems_of(document) == []
    source = source_of(document)
    compile(source, "workflow.py", "exec")
    assert "await asyncio.gather(" in source and "continue" not in source


def test_the_run_page_places_each_iterations_steps_on_the_body_node():
    # Each iteration's step marker is also the run's, just before its call: the replay's trail
    # names the body node for every call, though the iterations interleave.
    trace = trace_of("parallel_foreach", "five_items")
    assert trace.exact and trace.status == "completed"
    assert trace.result == ["A!", "B!", "C!", "D!", "E!"]
    shout = trace.nodes["shout"]
    # Each call's one input object: echo's parameter by name. The calls are local activities
    # whose markers come in the order they finished, which varies from run to run.
    inputs = sorted((call.input for call in shout.calls), key=lambda given: given["value"])
    assert shout.visits == 5 and inputs == [{"value": f"{letter}!"} for letter in "ABCDE"]
    assert trace.nodes["each"].state is NodeState.COMPLETED


def test_activities_inside_and_outside_may_both_fail_without_error_edges():
    # An activity sets its error variable only through a drawn error edge.
    document = shouts()
    document["nodes"].insert(
        1, {"id": "first", "type": "activity", "params": {"activity": "echo", "args": {}}}
    )
    node(document, "first")["params"]["args"] = {"value": 1}
    edge(document, "start")["target"] = "first"
    document["edges"].append({"id": "e9", "source": "first", "target": "each", "handle": "next"})
    assert problems_of(document) == []


def test_a_loop_in_the_body_may_name_its_item_as_a_loop_outside_does():
    document = shouts()
    body = node(document, "shout")
    document["nodes"].append(
        {
            "id": "inner",
            "type": "loop",
            "params": {"items": "[1, 2]", "item_variable": "item", "max_iterations": 2},
        }
    )
    edge(document, "each", "body")["target"] = "inner"
    document["edges"] += [
        {"id": "e7", "source": "inner", "target": "shout", "handle": "body"},
        {"id": "e8", "source": "inner", "target": "each", "handle": "done"},
    ]
    edge(document, "shout")["target"] = "inner"
    node(document, "each")["params"].update(collect=None, result_variable=None)
    node(document, "end")["params"]["result"] = "1"
    assert body["params"]["result_variable"] == "shouted"
    assert problems_of(document) == []


def test_a_body_step_may_not_set_a_variable_a_signal_or_workflow_update_sets():
    document = shouts()
    document["workflow"]["signals"] = [
        {"name": "shout", "updates": [{"variable": "shouted", "value": "?"}]}
    ]
    assert_problem(document, "node", "shout", "params", "which signal 'shout' also sets")
    document = shouts()
    document["workflow"]["updates"] = [
        {"name": "shout", "updates": [{"variable": "shouted", "value": "?"}]}
    ]
    assert_problem(document, "node", "shout", "params", "which workflow update 'shout' also")


def test_an_iteration_keeps_what_it_sets_and_reads_the_run_as_it_is_now():
    module = types.ModuleType("generated_workflow")
    exec(compile(source_of(shouts()), "workflow.py", "exec"), module.__dict__)
    run = types.SimpleNamespace(vars={"done": None, "shouted": "run's"}, step="each", spins=0)
    one, two = module._Iteration(run), module._Iteration(run)
    one.vars["shouted"] = "one's"
    one.step, one.spins = "shout", 1
    assert one.vars["shouted"] == "one's" and two.vars["shouted"] == "run's"
    assert run.vars["shouted"] == "run's"
    run.vars["done"] = True  # as a signal's update does
    assert one.vars["done"] is True and one.vars.get("done") is True
    assert one.vars.get("later") is None
    # Its step is its own (named in a data error) and the run's (read by the run page's replay).
    assert (one.step, two.step, run.step, run.spins) == ("shout", "each", "shout", 1)
