"""While loops, break and continue: validation refuses break and continue outside a loop; the
code continues as new only from a loop on the run's main path; graphs without them are as
before."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

from core.compiler import compile_graph
from core.graph import graph_from_dict
from core.validation import validate
from tests.loop_graphs import counting
from tests.unit.graph_strategies import INPUT_FIELDS, layout

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "count_evens.json"


def example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def problems(document: dict[str, Any]) -> list[str]:
    return [str(problem) for problem in validate(graph_from_dict(document))]


def workflow_source(document: dict[str, Any]) -> str:
    return compile_graph(graph_from_dict(document)).files["workflow.py"]


def test_the_example_is_valid_and_its_code_compiles() -> None:
    assert problems(example()) == []
    source = workflow_source(example())
    ast.parse(source)
    assert "continue\n" in source and "break\n" in source
    assert "@workflow.init" in source and "_restore(self, resume)" in source


def test_a_break_outside_a_loop_is_refused_by_name() -> None:
    document = example()
    # The break node hangs off a condition before the loop instead of inside its body.
    document["nodes"].append(
        {"id": "early", "type": "condition", "params": {"expression": "input.cap < 0"}}
    )
    for edge in document["edges"]:
        if edge["source"] == "no_total":
            edge["target"] = "early"
    document["edges"] += [
        {"id": "x1", "source": "early", "target": "count_up", "handle": "false"},
        {"id": "x2", "source": "early", "target": "quit", "handle": "true"},
    ]
    document["nodes"].append({"id": "quit", "type": "break_loop", "params": {}})
    found = problems(document)
    assert found == [
        "node quit: edges: a break node must stand inside a loop's body (reached from a "
        "for-each or while loop's body output); here no loop is around it"
    ]


def test_a_continue_outside_a_loop_is_refused_by_name() -> None:
    document = counting(100)
    document["nodes"].append({"id": "skip", "type": "continue_loop", "params": {}})
    for edge in document["edges"]:
        if edge["source"] == "spin" and edge["handle"] == "done":
            edge["target"] = "skip"
    assert any(
        p.startswith("node skip: edges: a continue node must stand") for p in problems(document)
    )


def test_a_condition_and_limits_are_checked_field_by_field() -> None:
    document = counting(10)
    params = document["nodes"][2]["params"]
    params.update(condition="count <", max_iterations=0, continue_as_new_after=5, mode="do")
    fields = {p.split(": ")[1] for p in problems(document) if p.startswith("node spin")}
    assert {
        "condition",
        "max_iterations",
        "continue_as_new_after",
        "mode",
    } <= fields


def test_a_loop_on_the_main_path_continues_as_new_at_the_top_of_an_iteration() -> None:
    source = workflow_source(counting(500))
    run = source[source.index("async def run") :]
    assert 'if not _resumes(self, "spin"):' in run
    assert "if _history_full(500):" in run
    assert (
        run.index("_history_full")
        < run.index("if not self.vars.get")
        < run.index("iteration_1 += 1")
    )


def test_a_loop_inside_a_branch_or_another_loop_does_not_continue_as_new() -> None:
    document = counting(500)
    outer = copy.deepcopy(document)
    outer["nodes"][2]["params"]["max_iterations"] = 1000
    outer["nodes"][-1]["params"]["result"] = "1"  # count is set only in the for-each's body
    # for each item of [1, 2]: the while loop; then the end.
    outer["nodes"].append(
        {"id": "each", "type": "loop", "params": {"items": "[1, 2]", "max_iterations": 2}}
    )
    for edge in outer["edges"]:
        if edge["source"] == "start" or edge["source"] == "spin" and edge["handle"] == "done":
            edge["target"] = "each"
    outer["edges"] += [
        {"id": "o1", "source": "each", "target": "zero", "handle": "body"},
        {"id": "o2", "source": "each", "target": "end", "handle": "done"},
    ]
    assert problems(outer) == []
    source = workflow_source(outer)
    assert "_history_full(" not in source.split("async def run")[1]
    assert "iteration_1 = 0" in source


def test_graphs_without_while_loops_take_no_resume() -> None:
    document = counting(500)
    document["nodes"][2] = {
        "id": "spin",
        "type": "loop",
        "params": {"items": "[1, 2, 3]", "max_iterations": 3},
    }
    source = workflow_source(document)
    assert "resume" not in source and "@workflow.init" not in source


def test_a_loop_that_continues_as_new_may_wait_more_often_than_one_history_holds() -> None:
    document = counting(500)
    document["nodes"][2]["params"]["max_iterations"] = 1_000_000
    timer = {"id": "nap", "type": "timer", "params": {"duration": "1s"}}
    document["nodes"].append(timer)
    for edge in document["edges"]:
        if edge["source"] == "spin" and edge["handle"] == "body":
            edge["target"] = "nap"
    document["edges"].append({"id": "n1", "source": "nap", "target": "add", "handle": "next"})
    assert problems(document) == []
    # The same loop inside a condition's branch keeps one history: its timer would not fit.
    document["nodes"].append({"id": "gate", "type": "condition", "params": {"expression": "True"}})
    document["nodes"].append({"id": "other", "type": "end", "params": {}})
    for edge in document["edges"]:
        if edge["source"] == "start":
            edge["target"] = "gate"
    document["edges"] += [
        {"id": "g1", "source": "gate", "target": "zero", "handle": "true"},
        {"id": "g2", "source": "gate", "target": "other", "handle": "false"},
    ]
    found = problems(document)
    assert len(found) == 1
    assert found[0].startswith("node spin: params.max_iterations: at max_iterations")


def test_a_loop_with_a_break_may_stand_in_a_parallel_branch() -> None:
    # The break leads to the end of its loop's iteration, so the branches still meet at the
    # join (as an end node, it would lead out of the parallel).
    document = layout(
        [
            (
                "parallel",
                "",
                [
                    [("activity", "a", "x")],
                    [("while", "w", [("timer", "t")], "while", "break_loop")],
                ],
            )
        ],
        input_fields=INPUT_FIELDS,
    )
    assert problems(document) == []
    ast.parse(workflow_source(document))
