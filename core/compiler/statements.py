"""The statements of each node kind's own step (calls, assignments, waits, returns).

Branching and merging are the structured emitter's business (:mod:`core.compiler.structure`);
here each function turns one node's typed params into the code of its step.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from core.activities import ActivityRegistry, ActivitySpec
from core.compiler.children import ChildTarget
from core.compiler.errors import CompileError
from core.compiler.literals import duration_literal, python_literal
from core.compiler.references import duration_value, expression, value
from core.compiler.secret_args import SecretPath, secret_argument, secret_paths, uses_secrets
from core.compiler.syntax import (
    assign,
    awaited,
    call,
    const,
    dotted,
    expr_stmt,
    item,
    name,
    parse_statements,
)
from core.expressions import run_time_bounds
from core.graph.model import Node
from core.nodes.kinds import (
    ActivityParams,
    ChildWorkflowParams,
    EndParams,
    RetryPolicyParams,
    SetVariableParams,
    TimerParams,
    WaitSignalParams,
)

#: Exceptions a failed activity or child workflow raises in the workflow.
ACTIVITY_FAILURE = "ActivityError"
CHILD_FAILURE = "ChildWorkflowError"


def variable_target(variable: str) -> ast.Subscript:
    """``self.vars["<variable>"]`` as an assignment target."""
    return item(dotted("self.vars"), variable, ctx=ast.Store())


def store_or_discard(variable: str | None, result: ast.expr) -> ast.stmt:
    """Assign ``result`` to a workflow variable, or evaluate it for its effect only."""
    return assign(variable_target(variable), result) if variable else expr_stmt(result)


def step_marker(node_id: str) -> ast.stmt:
    """``self.step = "<node id>"``: names the step in the message of a data error."""
    return assign(ast.Attribute(value=name("self"), attr="step", ctx=ast.Store()), const(node_id))


def set_variable(node: Node, params: SetVariableParams) -> list[ast.stmt]:
    """``self.vars[name] = <expression>``."""
    return [
        assign(
            variable_target(params.name),
            expression(params.expression, where=_at(node, "expression")),
        )
    ]


def timer(node: Node, params: TimerParams) -> list[ast.stmt]:
    """``await workflow.sleep(<duration>)``."""
    keywords = _summary("summary", node)
    duration = duration_value(params.duration, where=_at(node, "duration"))
    return [expr_stmt(awaited(call("workflow.sleep", [duration], **keywords)))]


def end(node: Node, params: EndParams) -> list[ast.stmt]:
    """``return <result>`` (``return None`` without a result expression)."""
    if params.result is None:
        return [ast.Return(value=const(None))]
    return [ast.Return(value=sized(expression(params.result, where=_at(node, "result"))))]


def activity(node: Node, params: ActivityParams, registry: ActivityRegistry) -> ast.stmt:
    """``self.vars[result] = await workflow.execute_activity("<name>", args=[...], ...)``."""
    spec = registry.get(params.activity)
    if spec is None:
        raise CompileError(f"unknown activity {params.activity!r}", subject=_at(node, "activity"))
    keywords: dict[str, ast.expr] = {}
    args = activity_args(node, params.args, spec)
    if args:
        keywords["args"] = sized(ast.List(elts=args, ctx=ast.Load()))
    if params.task_queue:
        keywords["task_queue"] = const(params.task_queue)
    keywords["start_to_close_timeout"] = duration_literal(
        params.start_to_close_timeout, where=_at(node, "start_to_close_timeout")
    )
    if params.schedule_to_close_timeout:
        keywords["schedule_to_close_timeout"] = duration_literal(
            params.schedule_to_close_timeout, where=_at(node, "schedule_to_close_timeout")
        )
    if spec.heartbeat_timeout:
        # The activity heartbeats while it works: when its worker dies, the attempt is retried
        # after this instead of after the whole start-to-close timeout.
        keywords["heartbeat_timeout"] = duration_literal(spec.heartbeat_timeout)
    keywords["retry_policy"] = retry_policy(node, params.retry)
    keywords.update(_summary("summary", node))
    result = awaited(call("workflow.execute_activity", [const(spec.name)], **keywords))
    return store_or_discard(params.result_variable, result)


def activity_args(node: Node, given: Mapping[str, Any], spec: ActivitySpec) -> list[ast.expr]:
    """Positional arguments in the registry's parameter order.

    A parameter left out before one that is given gets its declared default; trailing ones
    left out are dropped, so the activity applies its own defaults. A call that uses secrets
    passes every parameter, then the paths of its secret markers as one argument more (see
    ``core.secrets.markers``: the count is what tells the worker the paths are there).
    """
    with_secrets = uses_secrets(given.values())
    last = max((i for i, param in enumerate(spec.params) if param.name in given), default=-1)
    if with_secrets:
        last = len(spec.params) - 1
    args: list[ast.expr] = []
    paths: list[SecretPath] = []
    for index, param in enumerate(spec.params[: last + 1]):
        where = _at(node, f"args.{param.name}")
        if param.name in given:
            args.append(secret_argument(given[param.name], where=where, index=index, paths=paths))
        elif param.required:
            raise CompileError("this argument is required", subject=where)
        else:
            args.append(python_literal(param.default, where=where))
    if with_secrets:
        args.append(secret_paths(paths, where=_at(node, "args")))
    return args


def retry_policy(node: Node, retry: RetryPolicyParams) -> ast.expr:
    """``RetryPolicy(...)`` with every setting of the node spelled out."""
    keywords: dict[str, ast.expr] = {
        "initial_interval": duration_literal(
            retry.initial_interval, where=_at(node, "retry.initial_interval")
        ),
        "backoff_coefficient": const(float(retry.backoff_coefficient)),
        "maximum_attempts": const(retry.max_attempts),
    }
    if retry.max_interval:
        keywords["maximum_interval"] = duration_literal(
            retry.max_interval, where=_at(node, "retry.max_interval")
        )
    if retry.non_retryable_error_types:
        keywords["non_retryable_error_types"] = python_literal(
            list(retry.non_retryable_error_types), where=_at(node, "retry")
        )
    return call("RetryPolicy", **keywords)


def child_workflow(
    node: Node, params: ChildWorkflowParams, children: Mapping[str, ChildTarget]
) -> ast.stmt:
    """``self.vars[result] = await workflow.execute_child_workflow("<type>", <input>, ...)``.

    The type and queue come from ``children`` (by the child's workflow name); a child not
    listed is started by its own name on the parent's queue. The node's queue wins over both.
    """
    target = children.get(params.workflow, ChildTarget(workflow_type=params.workflow))
    keywords: dict[str, ast.expr] = {}
    task_queue = params.task_queue or target.task_queue
    if task_queue:
        keywords["task_queue"] = const(task_queue)
    # The node's own limit, else the child workflow's run_timeout setting.
    timeout = params.execution_timeout or target.run_timeout
    if timeout:
        keywords["execution_timeout"] = duration_literal(
            timeout, where=_at(node, "execution_timeout")
        )
    keywords.update(_summary("static_summary", node))
    child_input = sized(value(params.input, where=_at(node, "input")))
    result = awaited(
        call(
            "workflow.execute_child_workflow",
            [const(target.workflow_type), child_input],
            **keywords,
        )
    )
    return store_or_discard(params.result_variable, result)


def signal_arrived(signal: str) -> ast.expr:
    """``lambda: bool(self.signals["<signal>"])``."""
    queue = item(dotted("self.signals"), signal)
    no_args = ast.arguments(
        posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[], vararg=None, kwarg=None
    )
    return ast.Lambda(args=no_args, body=call("bool", [queue]))


def wait_for_signal(node: Node, params: WaitSignalParams) -> ast.stmt:
    """``await workflow.wait_condition(<arrived>, timeout=...)``."""
    keywords: dict[str, ast.expr] = {}
    if params.timeout is not None:
        keywords["timeout"] = duration_value(params.timeout, where=_at(node, "timeout"))
        keywords.update(_summary("timeout_summary", node))
    return expr_stmt(
        awaited(call("workflow.wait_condition", [signal_arrived(params.signal)], **keywords))
    )


def take_signal(params: WaitSignalParams) -> ast.stmt:
    """Take the oldest payload off the signal's queue, into the variable if there is one."""
    queue = item(dotted("self.signals"), params.signal)
    payload = call(ast.Attribute(value=queue, attr="pop", ctx=ast.Load()), [const(0)])
    return store_or_discard(params.variable, payload)


def failure_handler(
    exception: str, error_variable: str, statements: list[ast.stmt]
) -> ast.ExceptHandler:
    """``except <exception> as err: self.vars[<error>] = _failure_message(err); ...``."""
    record = assign(variable_target(error_variable), call("_failure_message", [name("err")]))
    return ast.ExceptHandler(type=name(exception), name="err", body=[record, *statements])


def too_many_items(items: str, limit: int) -> ast.stmt:
    """``if len(items) > limit: raise ApplicationError(...)`` for a loop's max_iterations."""
    # Both are compiler-made: a synthetic local name and an int from the validated params.
    template = (
        "if len(ITEMS) > LIMIT:\n"
        "    raise ApplicationError(\n"
        "        f'step {self.step!r}: {len(ITEMS)} items, more than the limit of LIMIT',\n"
        "        type='TooManyItems',\n"
        "        non_retryable=True,\n"
        "    )\n"
    )
    check = parse_statements(template.replace("ITEMS", items).replace("LIMIT", str(int(limit))))
    return check[0]


def sized(data: ast.expr) -> ast.expr:
    """``_payload(data)``: data a step sends, refused when too large for one Temporal payload.

    Literals are left as they are (validation bounds their size); without the run-time bounds,
    everything is.
    """
    if not run_time_bounds() or isinstance(data, ast.Constant):
        return data
    return call("_payload", [data])


def loop_pacing() -> list[ast.stmt]:
    """Count the iteration; at the budget, ``_pace`` ends the workflow task if none ended since.

    Nothing without the run-time bounds (benchmarks measure what they cost).
    """
    if not run_time_bounds():
        return []
    return parse_statements(
        "self.spins += 1\nif self.spins >= LOOP_ITERATIONS_PER_TASK:\n    await _pace(self)\n"
    )


def _summary(keyword: str, node: Node) -> dict[str, ast.expr]:
    # The label shows in Temporal's UI next to the activity, timer or child workflow.
    return {keyword: const(node.label)} if node.label else {}


def _at(node: Node, field: str) -> str:
    return f"node {node.id!r} {field}"
