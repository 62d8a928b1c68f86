"""Statements many node kinds' steps are built from: variables, step markers, error handlers."""

from __future__ import annotations

import ast

from core.codegen.syntax import assign, call, const, dotted, expr_stmt, item, name, parse_statements
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
    return assign(ast.Attribute(value=name("self"), attr="step", ctx=ast.Store()), const(node_id))


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


def loop_pacing() -> list[ast.stmt]:
    """Count the iteration; at the budget, ``_pace`` ends the workflow task if none ended since.

    Nothing without the run-time bounds (benchmarks measure what they cost).
    """
    if not run_time_bounds():
        return []
    return parse_statements(
        "self.spins += 1\nif self.spins >= LOOP_ITERATIONS_PER_TASK:\n    await _pace(self)\n"
    )


def summary(keyword: str, node: Node) -> dict[str, ast.expr]:
    """``{keyword: <label>}`` when the node has a label, for a step's summary in Temporal's UI."""
    # The label shows in Temporal's UI next to the activity, timer or child workflow.
    return {keyword: const(node.label)} if node.label else {}


def at(node: Node, field: str) -> str:
    """Where a compile error points: ``node '<id>' <field>``."""
    return f"node {node.id!r} {field}"
