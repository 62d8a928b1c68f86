"""The switch node: follows the edge of the case equal to the expression's value, else default."""

from __future__ import annotations

import ast
import json

from pydantic import Field, model_validator

from core.codegen.blocks import Emitter, Place
from core.codegen.references import expression
from core.codegen.syntax import assign, body, const, name, store
from core.graph.model import ERROR_HANDLE, Node
from core.graph.values import ExpressionText
from core.nodes.kind import InspectorHints, NodeKind, Params, require_unique


def case_handle(case: str | int | float | bool) -> str:
    """The edge handle of a switch case: the text itself, or the JSON of a number or boolean."""
    return case if isinstance(case, str) else json.dumps(case)


class SwitchParams(Params):
    """Params of a switch node."""

    expression: ExpressionText
    cases: list[str | int | float | bool] = Field(
        min_length=1, description="Values to compare with; each is the name of an output"
    )

    @model_validator(mode="after")
    def _unique_cases(self) -> SwitchParams:
        handles = [case_handle(case) for case in self.cases]
        require_unique(handles, "case")
        reserved = {"default", ERROR_HANDLE} & set(handles)
        if reserved:
            raise ValueError(f"case {sorted(reserved)[0]!r} is reserved for a handle; rename it")
        # The generated code compares with ==, under which True == 1 and 1 == 1.0: such cases
        # would shadow each other.
        for index, case in enumerate(self.cases):
            for earlier in self.cases[:index]:
                if case == earlier:
                    raise ValueError(
                        f"cases {earlier!r} and {case!r} are equal when compared; keep one"
                    )
        return self


class SwitchKind(NodeKind[SwitchParams]):
    type = "switch"
    title = "Switch"
    description = "Follows the edge of the case equal to the expression's value, else default."
    hints = InspectorHints(
        icon="alt_route",
        canvas_icon="signpost-split-fill",
        colour="#EA580C",
        starter_params={"expression": "'a'", "cases": ["a", "b"]},
    )
    params_model = SwitchParams
    fixed_handles = ()

    def handles(self, params: SwitchParams) -> tuple[str, ...]:
        return (*(case_handle(case) for case in params.cases), "default")

    def required_handles(self, params: SwitchParams) -> tuple[str, ...]:
        return self.handles(params)

    def expressions(self, params: SwitchParams) -> list[tuple[str, str]]:
        return [("expression", params.expression)]

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: SwitchParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        go_on, inner = emitter.merge(node.id, place)
        subject = emitter.names.fresh("switch")
        where = f"node {node.id!r} expression"
        out.append(assign(store(subject), expression(params.expression, where=where)))
        chain: list[ast.stmt] = emitter.block(emitter.target(node.id, "default"), inner)
        for case in reversed(params.cases):
            case_body = emitter.block(emitter.target(node.id, case_handle(case)), inner)
            test = ast.Compare(left=name(subject), ops=[ast.Eq()], comparators=[const(case)])
            chain = [ast.If(test=test, body=body(case_body), orelse=chain)]
        out.extend(chain)
        return go_on
