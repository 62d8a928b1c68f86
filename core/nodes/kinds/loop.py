"""The for-each loop node: runs its body once per item of a list, the body's last edge
returning to it; the flow goes on after ``done``."""

from __future__ import annotations

import ast

from pydantic import Field, model_validator

from core.codegen.blocks import Emitter, LoopFrame, Place
from core.codegen.references import expression
from core.codegen.steps import loop_budget, loop_pacing, variable_target
from core.codegen.syntax import assign, call, expr_stmt, name, parse_statements, store
from core.graph.analysis import continue_node
from core.graph.model import Node
from core.graph.values import ExpressionText, Identifier
from core.nodes.kind import InspectorHints, NodeKind, Params


class LoopParams(Params):
    """Params of a for-each loop node."""

    items: ExpressionText = Field(description="Expression giving the list to iterate over")
    item_variable: Identifier = Field(default="item", description="Holds the current item")
    max_iterations: int = Field(
        default=1000, ge=1, le=100_000, description="A longer list fails the run"
    )
    collect: ExpressionText | None = Field(
        default=None, description="Evaluated at the end of each iteration; results are collected"
    )
    result_variable: Identifier | None = Field(
        default=None, description="Holds the list of collected values after the loop"
    )

    @model_validator(mode="after")
    def _collect_needs_result(self) -> LoopParams:
        if (self.collect is None) != (self.result_variable is None):
            raise ValueError("set both collect and result_variable, or neither")
        return self


class LoopKind(NodeKind[LoopParams]):
    type = "loop"
    title = "For each"
    description = "Runs the body once per item of a list; the body's last edge returns here."
    hints = InspectorHints(
        icon="repeat",
        canvas_icon="arrow-repeat",
        colour="#0D9488",
        starter_params={"items": "[1, 2, 3]", "item_variable": "item"},
    )
    params_model = LoopParams
    role = "loop"
    loop_statement = True
    fixed_handles = ("body", "done")
    onward_handle = "done"
    iteration_end_fields = frozenset({"collect"})

    def expressions(self, params: LoopParams) -> list[tuple[str, str]]:
        found = [("items", params.items)]
        if params.collect is not None:
            found.append(("collect", params.collect))
        return found

    def defines(self, params: LoopParams, handle: str) -> tuple[str, ...]:
        if handle == "body":
            return (params.item_variable,)
        if handle == "done" and params.result_variable:
            return (params.result_variable,)
        return ()

    def iteration_limit(self, params: LoopParams) -> int | None:
        return params.max_iterations

    def emit(
        self, emitter: Emitter, node: Node, params: LoopParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        where = f"node {node.id!r}"
        items = emitter.names.fresh("items")
        each = emitter.names.fresh("item")
        out.append(assign(store(items), expression(params.items, where=f"{where} items")))
        out.append(too_many_items(items, params.max_iterations))
        collect: tuple[ast.stmt, ...] = ()
        collected = None
        if params.collect is not None:
            collected = emitter.names.fresh("collected")
            out.append(assign(store(collected), ast.List(elts=[], ctx=ast.Load())))
            value = expression(params.collect, where=f"{where} collect")
            append = ast.Attribute(value=name(collected), attr="append", ctx=ast.Load())
            collect = (expr_stmt(call(append, [value])),)
        frame = LoopFrame(continue_id=continue_node(node.id), collect=collect)
        inner = Place(
            stops=frozenset({frame.continue_id}),
            fallthrough=frame.continue_id,
            loops=(*place.loops, frame),
        )
        iteration = [
            *loop_pacing(node.id),
            assign(variable_target(params.item_variable), name(each)),
            *emitter.block(emitter.target(node.id, "body"), inner),
        ]
        if not isinstance(iteration[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break)):
            iteration.extend(collect)
        out.extend(loop_budget(node.id))
        out.append(
            ast.For(target=store(each), iter=name(items), body=iteration, orelse=[], lineno=0)
        )
        if collected is not None:
            assert params.result_variable is not None  # LoopParams requires it with collect
            out.append(assign(variable_target(params.result_variable), name(collected)))
        return emitter.target(frame.continue_id, "done")


def too_many_items(items: str, limit: int) -> ast.stmt:
    """``if len(items) > limit: raise ApplicationError(...)`` for a loop's max_iterations."""
    # Both are compiler-made: a synthetic local name and an int from the validated params.
    template = (
        "if len(ITEMS) > LIMIT:\n"
        "    raise ApplicationError(\n"
        "        f'step {self.step!r}: {len(ITEMS)} items, more than the limit of LIMIT',\n"
        "        type='TooManyItems',\n"
        "        non_retryable=True,\n"
        "    )\n"
    )
    check = parse_statements(template.replace("ITEMS", items).replace("LIMIT", str(int(limit))))
    return check[0]
