"""Statements many node kinds' steps are built from: variables, step markers, error handlers."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from core.codegen.syntax import (
    assign,
    awaited,
    call,
    const,
    dotted,
    expr_stmt,
    item,
    name,
)
from core.expressions import run_time_bounds
from core.graph.model import Node


def variable_target(variable: str) -> ast.Subscript:
    """``self.vars["<variable>"]`` as an assignment target."""
    return item(dotted("self.vars"), variable, ctx=ast.Store())


def store_or_discard(variable: str | None, result: ast.expr) -> ast.stmt:
    """Assign ``result`` to a workflow variable, or evaluate it for its effect only."""
    return assign(variable_target(variable), result) if variable else expr_stmt(result)


def step_marker(node_id: str) -> ast.stmt:
    """``self.step = "<node id>"``: names the step in the message of a data error."""
    return assign(_own("step"), const(node_id))


def _own(attribute: str) -> ast.Attribute:
    """``self.<attribute>`` as an assignment target."""
    return ast.Attribute(value=name("self"), attr=attribute, ctx=ast.Store())


def failure_handler(
    exception: str | tuple[str, ...], error_variable: str, statements: list[ast.stmt]
) -> ast.ExceptHandler:
    """``except <exception> as err: self.vars[<error>] = _failure_message(err); ...``; several
    exception names make ``except (<a>, <b>) as err``."""
    record = assign(variable_target(error_variable), call("_failure_message", [name("err")]))
    caught: ast.expr = (
        name(exception)
        if isinstance(exception, str)
        else ast.Tuple(elts=[name(item) for item in exception], ctx=ast.Load())
    )
    return ast.ExceptHandler(type=caught, name="err", body=[record, *statements])


def sized(data: ast.expr) -> ast.expr:
    """``_payload(data)``: data a step sends, refused when too large for one Temporal payload.

    Literals are left as they are (validation bounds their size); without the run-time bounds,
    everything is.
    """
    if not run_time_bounds() or isinstance(data, ast.Constant):
        return data
    return call("_payload", [data])


def loop_budget(loop_id: str) -> list[ast.stmt]:
    """``self.budget = <the loop's budget>``: what it learned at its last pause in this run, or
    ``LOOP_FIRST_BUDGET``; before the loop's first iteration each time it begins.

    So a heavy loop that follows a light one starts from the safe budget, not the light one's.
    Nothing without the run-time bounds (benchmarks measure what they cost).
    """
    if not run_time_bounds():
        return []
    learned = call("self.budgets.get", [const(loop_id), name("LOOP_FIRST_BUDGET")])
    return [assign(_own("budget"), learned)]


def loop_pacing(loop_id: str, *, then: Sequence[ast.stmt] = ()) -> list[ast.stmt]:
    """Count the iteration; at the loop's budget, ``_pace`` ends the workflow task if none ended
    since, then the statements ``then`` run.

    Nothing without the run-time bounds (benchmarks measure what they cost).
    """
    if not run_time_bounds():
        return []
    spins = dotted("self.spins")
    count = ast.AugAssign(target=_own("spins"), op=ast.Add(), value=const(1))
    due = ast.Compare(left=spins, ops=[ast.GtE()], comparators=[dotted("self.budget")])
    pause = expr_stmt(awaited(call("_pace", [name("self"), const(loop_id)])))
    return [count, ast.If(test=due, body=[pause, *then], orelse=[])]


def awaits(statements: Sequence[ast.stmt]) -> bool:
    """Whether the statements wait anywhere (an ``await``, ``async for`` or ``async with``)."""
    return any(
        isinstance(node, ast.Await | ast.AsyncFor | ast.AsyncWith)
        for statement in statements
        for node in ast.walk(statement)
    )


def summary(keyword: str, node: Node) -> dict[str, ast.expr]:
    """``{keyword: <label>}`` when the node has a label, for a step's summary in Temporal's UI."""
    # The label shows in Temporal's UI next to the activity, timer or child workflow.
    return {keyword: const(node.label)} if node.label else {}


def at(node: Node, field: str) -> str:
    """Where a compile error points: ``node '<id>' <field>``."""
    return f"node {node.id!r} {field}"
