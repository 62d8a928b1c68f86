"""The join node: waits until every branch of its parallel node has finished."""

from __future__ import annotations

import ast

from core.codegen.blocks import Emitter, Place
from core.graph.model import Node
from core.nodes.kind import EmptyParams, InspectorHints, NodeKind


class JoinKind(NodeKind[EmptyParams]):
    type = "join"
    title = "Join"
    description = "Waits until every branch of its parallel node has finished."
    hints = InspectorHints(icon="merge", canvas_icon="sign-merge-left-fill", colour="#C026D3")
    params_model = EmptyParams
    role = "join"
    # Its parallel node's gather is where the waiting happens; the join itself runs nothing.
    marks_step = False

    def emit(
        self, emitter: Emitter, node: Node, params: EmptyParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        return emitter.target(node.id)
