"""Loop budgets: validation refuses what cannot fit a run; loops pause in generated code."""

from __future__ import annotations

import ast

from core.bounds import LOOP_ITERATIONS_PER_TASK
from core.compiler import compile_graph
from core.expressions import unbounded
from core.graph import graph_from_dict
from core.validation import MAX_LOOP_ITERATIONS, validate
from tests.loop_graphs import nested_loops

TIMER = {"id": "nap", "type": "timer", "params": {"duration": "1s"}}


def problems(document: dict) -> list[tuple[str, str, str]]:
    return [(p.subject, p.field, p.message) for p in validate(graph_from_dict(document))]


def test_nested_loops_within_the_iteration_budget_are_valid() -> None:
    assert problems(nested_loops(300, 300)) == []
    assert problems(nested_loops(2, 2, limit=1000)) == []  # 1,000,000 exactly


def test_nested_loops_over_the_iteration_budget_are_refused_at_the_inner_loop() -> None:
    assert MAX_LOOP_ITERATIONS == 1000 * LOOP_ITERATIONS_PER_TASK
    ((subject, field, message),) = problems(nested_loops(2, 2, limit=10_000))
    assert (subject, field) == ("cols", "params.max_iterations")
    assert "may run its body 100,000,000 times" in message
    assert "more than the 1,000,000 a run allows" in message


def test_a_waiting_step_that_would_overflow_the_history_is_refused_at_its_loop() -> None:
    ((subject, field, message),) = problems(nested_loops(2, 2, step=TIMER, limit=200))
    assert (subject, field) == ("cols", "params.max_iterations")
    assert "step 'nap' in this loop would run 40,000 times" in message
    assert "at least 200,000 events" in message and "51,200" in message
    # 100 x 100 runs of a timer: 50,000 events at least, which fits.
    assert problems(nested_loops(2, 2, step=TIMER, limit=100)) == []


def _run(document: dict) -> ast.AST:
    module = ast.parse(compile_graph(graph_from_dict(document)).files["workflow.py"])
    return next(n for n in ast.walk(module) if getattr(n, "name", None) == "run")


def test_every_loop_iteration_counts_towards_a_pause() -> None:
    loops = [n for n in ast.walk(_run(nested_loops(3, 3))) if isinstance(n, ast.For)]
    assert len(loops) == 2
    for loop in loops:
        # First thing in each iteration, before the item is even stored.
        assert ast.unparse(loop.body[:2]) == (
            "self.spins += 1\nif self.spins >= LOOP_ITERATIONS_PER_TASK:\n    await _pace(self)"
        )
    with unbounded():
        assert "_pace" not in ast.unparse(_run(nested_loops(3, 3)))
