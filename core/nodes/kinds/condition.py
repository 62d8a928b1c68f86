"""The condition node: if/else, following the true or the false edge."""

from __future__ import annotations

import ast

from core.codegen.blocks import Emitter, Place
from core.codegen.references import expression
from core.codegen.syntax import body
from core.graph.model import Node
from core.graph.values import ExpressionText
from core.nodes.kind import InspectorHints, NodeKind, Params


class ConditionParams(Params):
    """Params of a condition node."""

    expression: ExpressionText


class ConditionKind(NodeKind[ConditionParams]):
    type = "condition"
    title = "Condition"
    description = "If/else: follows the true or the false edge."
    hints = InspectorHints(
        icon="call_split",
        canvas_icon="sign-intersection-y-fill",
        colour="#D97706",
        starter_params={"expression": "True"},
    )
    params_model = ConditionParams
    fixed_handles = ("true", "false")

    def expressions(self, params: ConditionParams) -> list[tuple[str, str]]:
        return [("expression", params.expression)]

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: ConditionParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        go_on, inner = emitter.merge(node.id, place)
        test = expression(params.expression, where=f"node {node.id!r} expression")
        branches = [emitter.block(emitter.target(node.id, h), inner) for h in ("true", "false")]
        out.append(ast.If(test=test, body=body(branches[0]), orelse=branches[1]))
        return go_on
