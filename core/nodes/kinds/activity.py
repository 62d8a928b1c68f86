"""The activity node: calls an activity (built-in or registered) with retries and timeouts."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import Field

from core.activities import ActivityRegistry, ActivitySpec
from core.codegen.blocks import Emitter, Place, guarded
from core.codegen.errors import CompileError
from core.codegen.literals import duration_literal, python_literal
from core.codegen.secret_args import SecretPath, secret_argument, secret_paths
from core.codegen.steps import at, sized, store_or_discard, summary
from core.codegen.syntax import awaited, call, const
from core.graph.model import Node
from core.graph.values import Duration, Identifier, Value, is_expression_value, value_has_type
from core.nodes.kind import (
    CheckContext,
    Finding,
    InspectorHints,
    NodeKind,
    Params,
    result_or_error,
    value_expressions,
)
from core.secrets.markers import PATHS

#: The exception a failed activity raises in the workflow.
ACTIVITY_FAILURE = "ActivityError"
#: What a failed local activity raises: its own ApplicationError when it failed (temporalio
#: does not wrap it), ActivityError when it timed out.
LOCAL_ACTIVITY_FAILURE = ("ActivityError", "ApplicationError")


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
    heartbeat_timeout: Duration | None = Field(
        default=None,
        description=(
            "Retry an attempt whose worker has not reported progress for this long (activities "
            "that report progress only; unset: the activity's own)"
        ),
    )
    error_variable: Identifier = Field(
        default="error", description="Holds the failure message on the error edge"
    )
    local: bool | None = Field(
        default=None,
        description=(
            "Run as a local activity, inside the workflow's worker: no trip through a task "
            "queue, for short calls only (unset: built-ins that finish at once and change "
            "nothing run locally, others do not)"
        ),
    )


class ActivityKind(NodeKind[ActivityParams]):
    type = "activity"
    title = "Activity"
    description = "Calls an activity (built-in or registered) with retries and timeouts."
    hints = InspectorHints(
        icon="bolt",
        canvas_icon="lightning-charge-fill",
        colour="#2563EB",
        starter_params={"activity": "log", "args": {"message": "hello"}},
        advanced=(
            "retry",
            "start_to_close_timeout",
            "schedule_to_close_timeout",
            "task_queue",
            "heartbeat_timeout",
            "error_variable",
            "local",
        ),
        picks_activity=True,
    )
    params_model = ActivityParams
    can_fail = True
    waits = True

    def expressions(self, params: ActivityParams) -> list[tuple[str, str]]:
        return value_expressions(params.args, "args")

    def defines(self, params: ActivityParams, handle: str) -> tuple[str, ...]:
        return result_or_error(params.result_variable, params.error_variable, handle)

    def reads_secrets_in(self, field: str) -> bool:
        # The worker resolves secrets in the activity's arguments, outside the workflow.
        return field.startswith("args.")

    def check(self, node: Node, params: ActivityParams, context: CheckContext) -> Iterator[Finding]:
        spec = context.registry.get(params.activity)
        if spec is None:
            known = ", ".join(context.registry.names())
            yield ("activity", f"unknown activity {params.activity!r}; known: {known}")
            return
        declared = {param.name: param for param in spec.params}
        for name, value in params.args.items():
            param = declared.get(name)
            if param is None:
                yield (
                    f"args.{name}",
                    f"activity {spec.name!r} has no parameter {name!r}; "
                    f"it takes {', '.join(declared) or 'none'}",
                )
            elif not _literal_fits(value, param.type):
                yield (f"args.{name}", f"expected a value of type {param.type}")
        for param in spec.params:
            if param.required and param.name not in params.args:
                yield (f"args.{param.name}", "this argument is required")
        if params.heartbeat_timeout and not spec.heartbeat_timeout:
            yield (
                "heartbeat_timeout",
                f"activity {spec.name!r} does not report progress, so every attempt would time "
                "out after this: leave it empty",
            )
        if params.local:
            if params.task_queue:
                yield (
                    "local",
                    "a local activity runs on the workflow's own worker, not on a task queue: "
                    "leave task_queue empty or turn local off",
                )
            if spec.heartbeat_timeout:
                yield (
                    "local",
                    f"activity {spec.name!r} reports progress while it works (it may take "
                    "minutes); it cannot run as a local activity",
                )

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: ActivityParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        step = call_statement(node, params, emitter.registry)
        emitter.retry_policies.hoist(step, params.retry)
        spec = emitter.registry.get(params.activity)
        local = spec is not None and runs_locally(params, spec)
        return guarded(
            emitter,
            node.id,
            step,
            failure=LOCAL_ACTIVITY_FAILURE if local else ACTIVITY_FAILURE,
            error_variable=params.error_variable,
            place=place,
            out=out,
        )


def runs_locally(params: ActivityParams, spec: ActivitySpec) -> bool:
    """Whether the step runs as a local activity: as the graph says, else the activity's default.

    The default holds only where a local activity can run: on the workflow's own queue.
    """
    if params.local is not None:
        return params.local
    return spec.local_by_default and not params.task_queue


def call_statement(node: Node, params: ActivityParams, registry: ActivityRegistry) -> ast.stmt:
    """``self.vars[result] = await workflow.execute_activity("<name>", {<input>}, ...)``, or
    ``execute_local_activity`` for a step that runs locally (``runs_locally``)."""
    spec = registry.get(params.activity)
    if spec is None:
        raise CompileError(f"unknown activity {params.activity!r}", subject=at(node, "activity"))
    local = runs_locally(params, spec)
    keywords: dict[str, ast.expr] = {}
    if params.task_queue and not local:
        keywords["task_queue"] = const(params.task_queue)
    keywords["start_to_close_timeout"] = duration_literal(
        params.start_to_close_timeout, where=at(node, "start_to_close_timeout")
    )
    if params.schedule_to_close_timeout:
        keywords["schedule_to_close_timeout"] = duration_literal(
            params.schedule_to_close_timeout, where=at(node, "schedule_to_close_timeout")
        )
    if spec.heartbeat_timeout and not local:
        # The activity heartbeats while it works: when its worker dies, the attempt is retried
        # after this instead of after the whole start-to-close timeout.
        keywords["heartbeat_timeout"] = duration_literal(
            params.heartbeat_timeout or spec.heartbeat_timeout,
            where=at(node, "heartbeat_timeout"),
        )
    keywords["retry_policy"] = retry_policy(node, params.retry)
    keywords.update(summary("summary", node))
    function = "workflow.execute_local_activity" if local else "workflow.execute_activity"
    arguments = [const(spec.name), sized(activity_input(node, params.args, spec))]
    return store_or_discard(params.result_variable, awaited(call(function, arguments, **keywords)))


def activity_input(node: Node, given: Mapping[str, Any], spec: ActivitySpec) -> ast.Dict:
    """The one input object of the call: ``{"<parameter>": <value>, ...}``.

    The given arguments in the registry's parameter order; parameters left out are left out,
    so the activity applies its own defaults. A call that uses secrets lists where its
    markers are under ``"$secret_paths"`` (see ``core.secrets.markers``): the object's keys
    are constants of this code, so data cannot add that field.
    """
    keys: list[ast.expr | None] = []
    values: list[ast.expr] = []
    paths: list[SecretPath] = []
    for param in spec.params:
        where = at(node, f"args.{param.name}")
        if param.name in given:
            keys.append(const(param.name))
            values.append(
                secret_argument(given[param.name], where=where, field=param.name, paths=paths)
            )
        elif param.required:
            raise CompileError("this argument is required", subject=where)
    if paths:
        keys.append(const(PATHS))
        values.append(secret_paths(paths, where=at(node, "args")))
    return ast.Dict(keys=keys, values=values)


def retry_policy(node: Node, retry: RetryPolicyParams) -> ast.expr:
    """``RetryPolicy(...)`` with every setting of the node spelled out."""
    keywords: dict[str, ast.expr] = {
        "initial_interval": duration_literal(
            retry.initial_interval, where=at(node, "retry.initial_interval")
        ),
        "backoff_coefficient": const(float(retry.backoff_coefficient)),
        "maximum_attempts": const(retry.max_attempts),
    }
    if retry.max_interval:
        keywords["maximum_interval"] = duration_literal(
            retry.max_interval, where=at(node, "retry.max_interval")
        )
    if retry.non_retryable_error_types:
        keywords["non_retryable_error_types"] = python_literal(
            list(retry.non_retryable_error_types), where=at(node, "retry")
        )
    return call("RetryPolicy", **keywords)


def _literal_fits(value: Any, param_type: str) -> bool:
    if param_type == "any" or value is None or is_expression_value(value):
        return True
    return value_has_type(value, param_type)
