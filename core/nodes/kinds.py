"""The node catalog: every node kind's params, handles and the variables it reads and defines.

Validation, the compiler and the builder's inspector form all read these definitions, so a
kind is described here once.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE
from core.nodes.values import (
    Duration,
    DurationValue,
    ExpressionText,
    Identifier,
    Value,
    is_expression_value,
)

FieldType = Literal["string", "number", "integer", "boolean", "object", "array"]
#: Python types a field's default must have, per declared field type.
FIELD_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


class Params(BaseModel):
    """Base of every kind's params: unknown keys are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


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


class RetryPolicyParams(Params):
    """Temporal retry policy for an activity."""

    max_attempts: int = Field(default=3, ge=1, le=1000, description="1 means no retries")
    initial_interval: Duration = Field(default="1s", description="Wait before the first retry")
    backoff_coefficient: float = Field(
        default=2.0, ge=1.0, le=100.0, description="Each wait is this many times the previous"
    )
    max_interval: Duration | None = Field(default=None, description="Longest wait between tries")
    non_retryable_error_types: list[str] = Field(
        default_factory=list, description="Error types that fail at once, without retries"
    )


class StartParams(Params):
    """Params of a start node."""

    input_fields: list[InputFieldParams] = Field(default_factory=list)
    trigger: Trigger = Field(default_factory=Trigger)

    @model_validator(mode="after")
    def _unique_fields(self) -> StartParams:
        _require_unique([field.name for field in self.input_fields], "input field")
        return self


class ActivityParams(Params):
    """Params of an activity node."""

    activity: str = Field(min_length=1, description="Name in the activity registry")
    args: dict[str, Value] = Field(default_factory=dict, description="Argument name -> value")
    result_variable: Identifier | None = Field(default=None, description="Stores the result")
    retry: RetryPolicyParams = Field(default_factory=RetryPolicyParams)
    start_to_close_timeout: Duration = Field(default="1m", description="Limit for one attempt")
    schedule_to_close_timeout: Duration | None = Field(
        default=None, description="Limit for all attempts together"
    )
    task_queue: str | None = Field(default=None, description="Defaults to the workflow's queue")
    error_variable: Identifier = Field(
        default="error", description="Holds the failure message on the error edge"
    )


class ConditionParams(Params):
    """Params of a condition node."""

    expression: ExpressionText


class SwitchParams(Params):
    """Params of a switch node."""

    expression: ExpressionText
    cases: list[str | int | float | bool] = Field(
        min_length=1, description="Values to compare with; each is the name of an output"
    )

    @model_validator(mode="after")
    def _unique_cases(self) -> SwitchParams:
        handles = [case_handle(case) for case in self.cases]
        _require_unique(handles, "case")
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


class EmptyParams(Params):
    """Kinds without params (parallel, join)."""


class LoopParams(Params):
    """Params of a for-each loop node."""

    items: ExpressionText = Field(description="Expression giving the list to iterate over")
    item_variable: Identifier = Field(default="item", description="Holds the current item")
    max_iterations: int = Field(
        default=1000, ge=1, le=100_000, description="A longer list fails the run"
    )
    collect: ExpressionText | None = Field(
        default=None, description="Evaluated at the end of each iteration; results are collected"
    )
    result_variable: Identifier | None = Field(
        default=None, description="Holds the list of collected values after the loop"
    )

    @model_validator(mode="after")
    def _collect_needs_result(self) -> LoopParams:
        if (self.collect is None) != (self.result_variable is None):
            raise ValueError("set both collect and result_variable, or neither")
        return self


class TimerParams(Params):
    """Params of a timer node."""

    duration: DurationValue = Field(description="How long to wait: 30s, 5m, ... or seconds")


class WaitSignalParams(Params):
    """Params of a wait-for-signal node."""

    signal: Identifier = Field(description="A signal declared in the workflow settings")
    variable: Identifier | None = Field(default=None, description="Stores the signal payload")
    timeout: DurationValue | None = Field(default=None, description="Take the timeout edge after")


class SetVariableParams(Params):
    """Params of a set-variable node."""

    name: Identifier = Field(description="The variable to set")
    expression: ExpressionText


class ChildWorkflowParams(Params):
    """Params of a child-workflow node."""

    workflow: str = Field(min_length=1, description="Name of the workflow to start as a child")
    input: Value = Field(default_factory=dict, description="The child's input")
    result_variable: Identifier | None = Field(default=None, description="Stores its result")
    task_queue: str | None = Field(default=None, description="Defaults to the workflow's queue")
    execution_timeout: Duration | None = Field(default=None, description="Limit for the child")
    error_variable: Identifier = Field(
        default="error", description="Holds the failure message on the error edge"
    )


class EndParams(Params):
    """Params of an end node."""

    result: ExpressionText | None = Field(default=None, description="The workflow's return value")


P = TypeVar("P", bound=Params)


class NodeKind(Generic[P]):
    """One kind of node, over its params model ``P``.

    Subclasses set the class attributes and override what differs.
    """

    type: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    # Not a ClassVar, which may not hold a type variable; `builtins.` because in this class
    # body `type` names the attribute above.
    params_model: builtins.type[P]
    #: Outgoing handles whatever the params; ``handles()`` may add to them.
    fixed_handles: ClassVar[tuple[str, ...]] = (DEFAULT_HANDLE,)
    #: Handles that may carry several edges (a parallel's branches); others carry one.
    multi_handles: ClassVar[frozenset[str]] = frozenset()
    #: Whether the node can fail and so may route an ``error`` edge.
    can_fail: ClassVar[bool] = False
    #: The handle the flow goes on through (a node inserted after this one hangs there), when
    #: not the first handle; a loop goes on after ``done``, not into its body.
    onward_handle: ClassVar[str | None] = None

    def handles(self, params: P) -> tuple[str, ...]:
        """Every handle an edge may leave from."""
        return self.fixed_handles + ((ERROR_HANDLE,) if self.can_fail else ())

    def required_handles(self, params: P) -> tuple[str, ...]:
        """Handles that must have an edge (``error`` never is)."""
        return self.fixed_handles

    def expressions(self, params: P) -> list[tuple[str, str]]:
        """``(field, expression text)`` for every expression the node evaluates."""
        return []

    def defines(self, params: P, handle: str) -> tuple[str, ...]:
        """Variables that hold a value once the node has been left through ``handle``."""
        return ()


class StartKind(NodeKind[StartParams]):
    type = "start"
    title = "Start"
    description = "Where every run begins; declares the input fields and the trigger."
    params_model = StartParams


class ActivityKind(NodeKind[ActivityParams]):
    type = "activity"
    title = "Activity"
    description = "Calls an activity (built-in or registered) with retries and timeouts."
    params_model = ActivityParams
    can_fail = True

    def expressions(self, params: ActivityParams) -> list[tuple[str, str]]:
        return _value_expressions(params.args, "args")

    def defines(self, params: ActivityParams, handle: str) -> tuple[str, ...]:
        return _result_or_error(params.result_variable, params.error_variable, handle)


class ConditionKind(NodeKind[ConditionParams]):
    type = "condition"
    title = "Condition"
    description = "If/else: follows the true or the false edge."
    params_model = ConditionParams
    fixed_handles = ("true", "false")

    def expressions(self, params: ConditionParams) -> list[tuple[str, str]]:
        return [("expression", params.expression)]


class SwitchKind(NodeKind[SwitchParams]):
    type = "switch"
    title = "Switch"
    description = "Follows the edge of the case equal to the expression's value, else default."
    params_model = SwitchParams
    fixed_handles = ()

    def handles(self, params: SwitchParams) -> tuple[str, ...]:
        return (*(case_handle(case) for case in params.cases), "default")

    def required_handles(self, params: SwitchParams) -> tuple[str, ...]:
        return self.handles(params)

    def expressions(self, params: SwitchParams) -> list[tuple[str, str]]:
        return [("expression", params.expression)]


class ParallelKind(NodeKind[EmptyParams]):
    type = "parallel"
    title = "Parallel"
    description = "Runs every branch at the same time; the branches meet at one join."
    params_model = EmptyParams
    fixed_handles = ("branch",)
    multi_handles = frozenset({"branch"})


class JoinKind(NodeKind[EmptyParams]):
    type = "join"
    title = "Join"
    description = "Waits until every branch of its parallel node has finished."
    params_model = EmptyParams


class LoopKind(NodeKind[LoopParams]):
    type = "loop"
    title = "For each"
    description = "Runs the body once per item of a list; the body's last edge returns here."
    params_model = LoopParams
    fixed_handles = ("body", "done")
    onward_handle = "done"

    def expressions(self, params: LoopParams) -> list[tuple[str, str]]:
        found = [("items", params.items)]
        if params.collect is not None:
            found.append(("collect", params.collect))
        return found

    def defines(self, params: LoopParams, handle: str) -> tuple[str, ...]:
        if handle == "body":
            return (params.item_variable,)
        if handle == "done" and params.result_variable:
            return (params.result_variable,)
        return ()


class TimerKind(NodeKind[TimerParams]):
    type = "timer"
    title = "Timer"
    description = "Waits durably for a duration (survives worker restarts)."
    params_model = TimerParams

    def expressions(self, params: TimerParams) -> list[tuple[str, str]]:
        return _value_expressions({"duration": params.duration}, "")


class WaitSignalKind(NodeKind[WaitSignalParams]):
    type = "wait_signal"
    title = "Wait for signal"
    description = "Waits until a declared signal arrives, or takes the timeout edge."
    params_model = WaitSignalParams

    def handles(self, params: WaitSignalParams) -> tuple[str, ...]:
        return (DEFAULT_HANDLE, "timeout") if params.timeout else (DEFAULT_HANDLE,)

    def required_handles(self, params: WaitSignalParams) -> tuple[str, ...]:
        return self.handles(params)

    def expressions(self, params: WaitSignalParams) -> list[tuple[str, str]]:
        return _value_expressions({"timeout": params.timeout}, "")

    def defines(self, params: WaitSignalParams, handle: str) -> tuple[str, ...]:
        return (params.variable,) if params.variable and handle == DEFAULT_HANDLE else ()


class SetVariableKind(NodeKind[SetVariableParams]):
    type = "set_variable"
    title = "Set variable"
    description = "Stores the value of an expression in a workflow variable (visible to queries)."
    params_model = SetVariableParams

    def expressions(self, params: SetVariableParams) -> list[tuple[str, str]]:
        return [("expression", params.expression)]

    def defines(self, params: SetVariableParams, handle: str) -> tuple[str, ...]:
        return (params.name,)


class ChildWorkflowKind(NodeKind[ChildWorkflowParams]):
    type = "child_workflow"
    title = "Child workflow"
    description = "Starts another workflow as a child and waits for its result."
    params_model = ChildWorkflowParams
    can_fail = True

    def expressions(self, params: ChildWorkflowParams) -> list[tuple[str, str]]:
        return _value_expressions({"input": params.input}, "")

    def defines(self, params: ChildWorkflowParams, handle: str) -> tuple[str, ...]:
        return _result_or_error(params.result_variable, params.error_variable, handle)


class EndKind(NodeKind[EndParams]):
    type = "end"
    title = "End"
    description = "Finishes the run, returning the value of an expression."
    params_model = EndParams
    fixed_handles = ()

    def expressions(self, params: EndParams) -> list[tuple[str, str]]:
        return [("result", params.result)] if params.result is not None else []


#: Every kind by its type; a node's params are parsed by its own kind's model, so ``Any`` here.
CATALOG: Mapping[str, NodeKind[Any]] = {
    kind.type: kind
    for kind in (
        StartKind(),
        ActivityKind(),
        ConditionKind(),
        SwitchKind(),
        ParallelKind(),
        JoinKind(),
        LoopKind(),
        TimerKind(),
        WaitSignalKind(),
        SetVariableKind(),
        ChildWorkflowKind(),
        EndKind(),
    )
}


def value_has_type(value: Any, field_type: str) -> bool:
    """Whether a JSON value is of a declared field type (a boolean is not a number here)."""
    if isinstance(value, bool) and field_type != "boolean":
        return False
    return isinstance(value, FIELD_PYTHON_TYPES[field_type])


def case_handle(case: str | int | float | bool) -> str:
    """The edge handle of a switch case: the text itself, or the JSON of a number or boolean."""
    return case if isinstance(case, str) else json.dumps(case)


def _value_expressions(values: Mapping[str, Any], prefix: str) -> list[tuple[str, str]]:
    return [
        (f"{prefix}.{name}" if prefix else name, value["expr"])
        for name, value in values.items()
        if is_expression_value(value)
    ]


def _result_or_error(result: str | None, error: str, handle: str) -> tuple[str, ...]:
    if handle == ERROR_HANDLE:
        return (error,)
    return (result,) if result else ()


def _require_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} is declared twice")
        seen.add(name)
