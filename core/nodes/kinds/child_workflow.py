"""The child-workflow node: starts another workflow as a child and waits for its result."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from pydantic import Field

from core.codegen.blocks import Emitter, Place, guarded
from core.codegen.children import ChildTarget
from core.codegen.literals import duration_literal
from core.codegen.references import value
from core.codegen.steps import at, sized, store_or_discard, summary
from core.codegen.syntax import awaited, call, const
from core.graph.messages import WORKFLOW_NAME_RULE
from core.graph.model import Node
from core.graph.names import is_workflow_name
from core.graph.values import Duration, Identifier, Value
from core.nodes.kind import (
    CheckContext,
    Finding,
    InspectorHints,
    NodeKind,
    Params,
    result_or_error,
    value_expressions,
)

#: The exception a failed child workflow raises in its parent.
CHILD_FAILURE = "ChildWorkflowError"


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


class ChildWorkflowKind(NodeKind[ChildWorkflowParams]):
    type = "child_workflow"
    title = "Child workflow"
    description = "Starts another workflow as a child and waits for its result."
    hints = InspectorHints(
        icon="account_tree",
        canvas_icon="diagram-2-fill",
        colour="#4F46E5",
        starter_params={"workflow": "hello_activity", "input": {}},
    )
    params_model = ChildWorkflowParams
    can_fail = True
    waits = True
    child_workflow_param = "workflow"

    def expressions(self, params: ChildWorkflowParams) -> list[tuple[str, str]]:
        return value_expressions({"input": params.input}, "")

    def defines(self, params: ChildWorkflowParams, handle: str) -> tuple[str, ...]:
        return result_or_error(params.result_variable, params.error_variable, handle)

    def check(
        self, node: Node, params: ChildWorkflowParams, context: CheckContext
    ) -> Iterator[Finding]:
        if not is_workflow_name(params.workflow):
            yield (
                "workflow",
                f"{params.workflow!r} is not a valid workflow name: {WORKFLOW_NAME_RULE}",
            )

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: ChildWorkflowParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        step = start_statement(node, params, emitter.children)
        return guarded(
            emitter,
            node.id,
            step,
            failure=CHILD_FAILURE,
            error_variable=params.error_variable,
            place=place,
            out=out,
        )


def start_statement(
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
            timeout, where=at(node, "execution_timeout")
        )
    keywords.update(summary("static_summary", node))
    child_input = sized(value(params.input, where=at(node, "input")))
    result = awaited(
        call(
            "workflow.execute_child_workflow",
            [const(target.workflow_type), child_input],
            **keywords,
        )
    )
    return store_or_discard(params.result_variable, result)
