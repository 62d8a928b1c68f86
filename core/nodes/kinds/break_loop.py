"""The break node: ends the innermost loop at once; the flow goes on after its ``done``."""

from __future__ import annotations

import ast

from core.nodes.kind import InspectorHints, LoopExitKind


class BreakLoopKind(LoopExitKind):
    type = "break_loop"
    title = "Break"
    description = "Leaves the loop it is in; the flow goes on from the loop's done output."
    hints = InspectorHints(icon="logout", canvas_icon="box-arrow-right", colour="#B45309")
    statement = ast.Break
