"""Loop budgets: validation refuses what cannot fit a run; loops pause in generated code."""

from __future__ import annotations

import ast

from core.activities.pacing import PACE_ACTIVITY
from core.activities.spec import activity_name
from core.compiler import compile_graph
from core.expressions import unbounded
from core.graph import graph_from_dict
from core.validation import MAX_LOOP_ITERATIONS, validate
from tests.hostile_corpus import graph
from tests.loop_graphs import counting, nested_loops

TIMER = {"id": "nap", "type": "timer", "params": {"duration": "1s"}}


def problems(document: dict) -> list[tuple[str, str, str]]:
    return [(p.subject, p.field, p.message) for p in validate(graph_from_dict(document))]


def test_nested_loops_within_the_iteration_budget_are_valid() -> None:
    assert problems(nested_loops(300, 300)) == []
    assert problems(nested_loops(2, 2, limit=1000)) == []  # 1,000,000 exactly


def test_nested_loops_over_the_iteration_budget_are_refused_at_the_inner_loop() -> None:
    assert MAX_LOOP_ITERATIONS == 1_000_000
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
    run = _run(nested_loops(3, 3))
    loops = [n for n in ast.walk(run) if isinstance(n, ast.For)]
    assert len(loops) == 2
    for loop, loop_id in zip(loops, ("rows", "cols"), strict=True):
        # First thing in each iteration, before the item is even stored.
        assert ast.unparse(loop.body[:2]) == (
            f"self.spins += 1\nif self.spins >= self.budget:\n    await _pace(self, {loop_id!r})"
        )
    # Each time a loop begins, its budget is what it learned in this run (or the first one).
    before = {
        id(statement): body[index - 1]
        for node in ast.walk(run)
        for body in [getattr(node, "body", None)]
        if isinstance(body, list)
        for index, statement in enumerate(body)
    }
    for loop, loop_id in zip(loops, ("rows", "cols"), strict=True):
        assert ast.unparse(before[id(loop)]) == (
            f"self.budget = self.budgets.get({loop_id!r}, LOOP_FIRST_BUDGET)"
        )
    with unbounded():
        assert "_pace" not in ast.unparse(_run(nested_loops(3, 3)))


def _while_iteration(document: dict) -> list[ast.stmt]:
    loop = next(n for n in ast.walk(_run(document)) if isinstance(n, ast.While))
    return loop.body


def test_a_loop_that_never_waits_checks_its_history_at_its_pauses_only() -> None:
    # Between two pauses such a loop adds no history: the check after each pause is the same
    # as one at each iteration, and costs nothing per iteration.
    iteration = _while_iteration(counting())
    pacing = iteration[1]
    assert isinstance(pacing, ast.If)
    assert ast.unparse(pacing.body[0]) == "await _pace(self, 'spin')"
    assert ast.unparse(pacing.body[1]).startswith("if _history_full(10000):")
    assert sum("_history_full" in ast.unparse(statement) for statement in iteration) == 1


def test_a_loop_that_waits_checks_its_history_at_each_iteration() -> None:
    iteration = _while_iteration(counting(step=TIMER))
    pacing = iteration[1]
    assert isinstance(pacing, ast.If) and len(pacing.body) == 1
    assert ast.unparse(iteration[3]).startswith("if _history_full(10000):")
    # Without the bounds there are no pauses to check at: each iteration checks.
    with unbounded():
        iteration = _while_iteration(counting())
    assert ast.unparse(iteration[1]).startswith("if _history_full(10000):")


def _registered(document: dict) -> list[str | None]:
    """The activity names a bundle's ACTIVITIES registers (what its worker.py serves)."""
    namespace: dict = {}
    exec(compile_graph(graph_from_dict(document)).files["activities.py"], namespace)
    return [activity_name(fn) for fn in namespace["ACTIVITIES"]]


def test_a_bundle_with_loops_registers_the_pause_activity_and_others_do_not() -> None:
    assert _registered(counting()) == [PACE_ACTIVITY]
    assert _registered(nested_loops(2, 2)) == [PACE_ACTIVITY]
    step = {"id": "x", "type": "set_variable", "params": {"name": "out", "expression": "1"}}
    plain = graph("plain", [step])
    assert _registered(plain) == []
    with unbounded():  # no pauses, so no activity for them
        assert _registered(counting()) == []
