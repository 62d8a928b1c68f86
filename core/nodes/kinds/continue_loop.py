"""The continue node: ends the current iteration of the innermost loop; the next one begins."""

from __future__ import annotations

import ast

from core.codegen.blocks import Emitter, Place
from core.graph.model import Node
from core.nodes.kind import EmptyParams, InspectorHints, NodeKind


class ContinueLoopKind(NodeKind[EmptyParams]):
    type = "continue_loop"
    title = "Continue"
    description = "Ends this iteration of the loop it is in; the next iteration begins."
    hints = InspectorHints(icon="skip_next", canvas_icon="skip-end-fill", colour="#4D7C0F")
    params_model = EmptyParams
    # Its flow goes on to the end of its loop's iteration (core.graph.analysis), where the
    # loop's code goes on with its next iteration.
    role = "leave"
    fixed_handles = ()
    inside_loop_only = True

    def emit(
        self, emitter: Emitter, node: Node, params: EmptyParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        # Without a for-each loop's collect: an iteration that continues collects nothing (a
        # filter), and the collected value may not be set yet.
        out.append(ast.Continue())
        return None
