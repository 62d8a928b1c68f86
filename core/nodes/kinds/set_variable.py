"""The set-variable node: stores the value of an expression in a workflow variable."""

from __future__ import annotations

import ast

from pydantic import Field

from core.codegen.blocks import Emitter, Place
from core.codegen.references import expression
from core.codegen.steps import at, variable_target
from core.codegen.syntax import assign
from core.graph.model import Node
from core.graph.values import ExpressionText, Identifier
from core.nodes.kind import InspectorHints, NodeKind, Params


class SetVariableParams(Params):
    """Params of a set-variable node."""

    name: Identifier = Field(description="The variable to set")
    expression: ExpressionText


class SetVariableKind(NodeKind[SetVariableParams]):
    type = "set_variable"
    title = "Set variable"
    description = "Stores the value of an expression in a workflow variable (visible to queries)."
    hints = InspectorHints(
        icon="data_object",
        canvas_icon="braces",
        colour="#65A30D",
        starter_params={"name": "value", "expression": "1"},
    )
    params_model = SetVariableParams

    def expressions(self, params: SetVariableParams) -> list[tuple[str, str]]:
        return [("expression", params.expression)]

    def defines(self, params: SetVariableParams, handle: str) -> tuple[str, ...]:
        return (params.name,)

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: SetVariableParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        out.extend(assignment(node, params))
        return emitter.target(node.id)


def assignment(node: Node, params: SetVariableParams) -> list[ast.stmt]:
    """``self.vars[name] = <expression>``."""
    value = expression(params.expression, where=at(node, "expression"))
    return [assign(variable_target(params.name), value)]
