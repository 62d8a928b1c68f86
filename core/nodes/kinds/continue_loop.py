"""The continue node: ends the current iteration of the innermost loop; the next one begins."""

from __future__ import annotations

import ast

from core.nodes.kind import InspectorHints, LoopExitKind


class ContinueLoopKind(LoopExitKind):
    """Without a for-each loop's collect: an iteration that continues collects nothing (a
    filter), and the collected value may not be set yet."""

    type = "continue_loop"
    title = "Continue"
    description = "Ends this iteration of the loop it is in; the next iteration begins."
    hints = InspectorHints(icon="skip_next", canvas_icon="skip-end-fill", colour="#4D7C0F")
    statement = ast.Continue
