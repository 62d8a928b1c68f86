"""The wait-until node: waits until an expression over variables is true, or takes the timeout
edge."""

from __future__ import annotations

import ast

from pydantic import Field

from core.codegen.blocks import Emitter, Place
from core.codegen.references import expression
from core.codegen.steps import at
from core.codegen.syntax import awaited, call, expr_stmt, thunk
from core.graph.model import Node
from core.graph.values import DurationValue, ExpressionText
from core.nodes.kind import InspectorHints, NodeKind, Params, value_expressions
from core.nodes.kinds.wait_signal import timed_wait, timeout_handles, timeout_keywords


class WaitUntilParams(Params):
    """Params of a wait-until node."""

    condition: ExpressionText = Field(
        description="Wait until this is true, e.g. done or len(items) >= 3; a variable not set "
        "yet reads None"
    )
    timeout: DurationValue | None = Field(default=None, description="Take the timeout edge after")


#: Temporal checks a wait's condition while it runs a workflow task, where an exception would
#: fail that task and every retry of it for ever; so a data error ends the wait instead and is
#: raised in the step, which fails the run naming it (as other steps' data errors do).
_HELPERS = '''
async def _wait_until(test: Any, **options: Any) -> None:
    """Wait until ``test()`` is true; a data error in it fails the step once the wait ends."""
    errors: list[Exception] = []

    def condition() -> bool:
        try:
            return bool(test())
        except DATA_ERRORS as err:
            errors.append(err)
            return True

    await workflow.wait_condition(condition, **options)
    if errors:
        raise errors[0]
'''


class WaitUntilKind(NodeKind[WaitUntilParams]):
    type = "wait_until"
    title = "Wait until"
    description = "Waits until a condition over variables is true, or takes the timeout edge."
    hints = InspectorHints(
        icon="pending",
        canvas_icon="hourglass-bottom",
        colour="#9333EA",
        starter_params={"condition": "done"},
    )
    params_model = WaitUntilParams
    unset_reads_none_fields = frozenset({"condition"})
    helpers = _HELPERS

    def handles(self, params: WaitUntilParams) -> tuple[str, ...]:
        return timeout_handles(params.timeout)

    def required_handles(self, params: WaitUntilParams) -> tuple[str, ...]:
        return self.handles(params)

    def expressions(self, params: WaitUntilParams) -> list[tuple[str, str]]:
        return [("condition", params.condition)] + value_expressions(
            {"timeout": params.timeout}, ""
        )

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: WaitUntilParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        # Read as in a query: a variable no signal or step has set yet is None, not an error.
        test = expression(params.condition, where=at(node, "condition"), in_query=True)
        keywords = timeout_keywords(node, params.timeout)
        wait = call("_wait_until", [thunk(test)], **keywords)
        return timed_wait(emitter, node, place, [expr_stmt(awaited(wait))], out)
