"""The break node: ends the innermost loop at once; the flow goes on after its ``done``."""

from __future__ import annotations

import ast

from core.codegen.blocks import Emitter, Place
from core.graph.model import Node
from core.nodes.kind import EmptyParams, InspectorHints, NodeKind


class BreakLoopKind(NodeKind[EmptyParams]):
    type = "break_loop"
    title = "Break"
    description = "Leaves the loop it is in; the flow goes on from the loop's done output."
    hints = InspectorHints(icon="logout", canvas_icon="box-arrow-right", colour="#B45309")
    params_model = EmptyParams
    # Its flow goes on to the end of its loop's iteration (core.graph.analysis), where the
    # loop's code goes on after the loop.
    role = "leave"
    fixed_handles = ()
    inside_loop_only = True

    def emit(
        self, emitter: Emitter, node: Node, params: EmptyParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        out.append(ast.Break())
        return None
