"""The fail node: ends the run as failed, with a message and an error type, without retries."""

from __future__ import annotations

import ast
from typing import Any

from pydantic import Field, field_validator

from core.codegen.blocks import Emitter, Place
from core.codegen.references import value
from core.codegen.steps import at
from core.codegen.syntax import call, const
from core.graph.model import Node
from core.graph.values import Identifier, TextValue, is_expression_value
from core.nodes.kind import InspectorHints, NodeKind, Params, value_expressions

#: Longest failure message; longer ones (from an expression) are cut, so a large value cannot
#: make the failure too big for Temporal to record.
MESSAGE_LIMIT = 2000


class FailParams(Params):
    """Params of a fail node."""

    message: TextValue = Field(
        description='Why the run failed: a text, or {"expr": ...} whose value becomes text'
    )
    error_type: Identifier = Field(
        default="WorkflowFailed", description="The failure's type, e.g. PaymentRefused"
    )

    @field_validator("message")
    @classmethod
    def _not_too_long(cls, message: Any) -> Any:
        if isinstance(message, str) and len(message) > MESSAGE_LIMIT:
            raise ValueError(f"the message may have at most {MESSAGE_LIMIT:,} characters")
        return message


class FailKind(NodeKind[FailParams]):
    type = "fail"
    title = "Fail"
    description = "Ends the run as failed with a message and an error type; it is not retried."
    hints = InspectorHints(
        icon="dangerous",
        canvas_icon="x-octagon-fill",
        colour="#DC2626",
        starter_params={"message": "the order was refused", "error_type": "OrderRefused"},
    )
    params_model = FailParams
    # It ends the flow as an end node does, by raising instead of returning.
    role = "end"
    fixed_handles = ()

    def expressions(self, params: FailParams) -> list[tuple[str, str]]:
        return value_expressions({"message": params.message}, "")

    def emit(
        self, emitter: Emitter, node: Node, params: FailParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        """``raise ApplicationError(<message>, type=<error_type>, non_retryable=True)``."""
        message = value(params.message, where=at(node, "message"))
        if is_expression_value(params.message):
            cut = ast.Slice(lower=None, upper=const(MESSAGE_LIMIT), step=None)
            message = ast.Subscript(value=call("str", [message]), slice=cut, ctx=ast.Load())
        error = call(
            "ApplicationError",
            [message],
            type=const(params.error_type),
            non_retryable=const(True),
        )
        out.append(ast.Raise(exc=error, cause=None))
        return None
