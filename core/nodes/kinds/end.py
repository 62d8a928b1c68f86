"""The end node: finishes the run, returning the value of an expression."""

from __future__ import annotations

import ast

from pydantic import Field

from core.codegen.blocks import Emitter, Place
from core.codegen.references import expression
from core.codegen.steps import at, sized
from core.codegen.syntax import const
from core.graph.model import Node
from core.graph.values import ExpressionText
from core.nodes.kind import InspectorHints, NodeKind, Params


class EndParams(Params):
    """Params of an end node."""

    result: ExpressionText | None = Field(default=None, description="The workflow's return value")


class EndKind(NodeKind[EndParams]):
    type = "end"
    title = "End"
    description = "Finishes the run, returning the value of an expression."
    hints = InspectorHints(icon="stop_circle", canvas_icon="stop-circle-fill", colour="#475569")
    params_model = EndParams
    role = "end"
    fixed_handles = ()

    def expressions(self, params: EndParams) -> list[tuple[str, str]]:
        return [("result", params.result)] if params.result is not None else []

    def emit(
        self, emitter: Emitter, node: Node, params: EndParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        """``return <result>`` (``return None`` without a result expression)."""
        if params.result is None:
            out.append(ast.Return(value=const(None)))
        else:
            result = expression(params.result, where=at(node, "result"))
            out.append(ast.Return(value=sized(result)))
        return None
