"""The start node: where every run begins; declares the input fields and the trigger."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, model_validator

from core.codegen.blocks import Emitter, Place
from core.graph.model import Node
from core.graph.values import FieldType, Identifier, value_has_type
from core.nodes.kind import (
    CheckContext,
    Finding,
    InspectorHints,
    NodeKind,
    Params,
    require_unique,
)


class InputFieldParams(Params):
    """A field of the workflow input."""

    name: Identifier
    type: FieldType = "string"
    required: bool = False
    default: Any = None
    description: str = ""

    @model_validator(mode="after")
    def _default_matches_type(self) -> InputFieldParams:
        if self.default is not None and not value_has_type(self.default, self.type):
            raise ValueError(f"default of field {self.name!r} must be of type {self.type}")
        return self


class Trigger(Params):
    """How runs start: by hand (or API), or on a cron schedule."""

    kind: Literal["manual", "cron"] = Field(
        default="manual", description="manual: started by hand or API; cron: on a schedule"
    )
    cron: str | None = Field(
        default=None,
        description="Cron expression in UTC, e.g. '0 7 * * 1-5'; runs start on it once "
        "deployed, with the input fields' defaults",
    )

    @model_validator(mode="after")
    def _cron_when_scheduled(self) -> Trigger:
        if self.kind == "cron" and not (self.cron or "").strip():
            raise ValueError("a cron trigger needs a cron expression such as '0 7 * * *'")
        if self.cron and len(self.cron.split()) not in (5, 6, 7):
            raise ValueError(f"cron expression {self.cron!r} must have 5 to 7 fields")
        return self


class StartParams(Params):
    """Params of a start node."""

    input_fields: list[InputFieldParams] = Field(default_factory=list)
    trigger: Trigger = Field(default_factory=Trigger)

    @model_validator(mode="after")
    def _unique_fields(self) -> StartParams:
        require_unique([field.name for field in self.input_fields], "input field")
        return self


class StartKind(NodeKind[StartParams]):
    type = "start"
    title = "Start"
    description = "Where every run begins; declares the input fields and the trigger."
    hints = InspectorHints(icon="play_circle", canvas_icon="play-circle-fill", colour="#16A34A")
    params_model = StartParams
    role = "start"
    # The workflow's run method prepares the input before the first step.
    marks_step = False

    def check(self, node: Node, params: StartParams, context: CheckContext) -> Iterator[Finding]:
        if params.trigger.kind != "cron":
            return
        # A schedule starts runs with no input: every field must do without one.
        unfilled = [f.name for f in params.input_fields if f.required and f.default is None]
        if unfilled:
            yield (
                "trigger",
                "a cron trigger starts runs with no input, so input field(s) "
                f"{', '.join(repr(name) for name in unfilled)} need a default "
                "(or must not be required)",
            )

    def emit(
        self, emitter: Emitter, node: Node, params: StartParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        return emitter.target(node.id)
