"""The timer node: waits durably for a duration (survives worker restarts)."""

from __future__ import annotations

import ast

from pydantic import Field

from core.codegen.blocks import Emitter, Place
from core.codegen.references import duration_value
from core.codegen.steps import at, summary
from core.codegen.syntax import awaited, call, expr_stmt
from core.graph.model import Node
from core.graph.values import DurationValue
from core.nodes.kind import InspectorHints, NodeKind, Params, value_expressions


class TimerParams(Params):
    """Params of a timer node."""

    duration: DurationValue = Field(description="How long to wait: 30s, 5m, ... or seconds")


class TimerKind(NodeKind[TimerParams]):
    type = "timer"
    title = "Timer"
    description = "Waits durably for a duration (survives worker restarts)."
    hints = InspectorHints(
        icon="hourglass_top",
        canvas_icon="hourglass-split",
        colour="#0891B2",
        starter_params={"duration": "30s"},
    )
    params_model = TimerParams
    waits = True

    def expressions(self, params: TimerParams) -> list[tuple[str, str]]:
        return value_expressions({"duration": params.duration}, "")

    def emit(
        self, emitter: Emitter, node: Node, params: TimerParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        duration = duration_value(params.duration, where=at(node, "duration"))
        sleep = call("workflow.sleep", [duration], **summary("summary", node))
        out.append(expr_stmt(awaited(sleep)))
        return emitter.target(node.id)
