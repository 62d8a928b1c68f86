"""Errors of the deployment pipeline, each naming the workflow, version or node at fault."""

from __future__ import annotations

from core.errors import WorkflowBuilderError


class DeployError(WorkflowBuilderError):
    """A deploy, rollback, diff or export could not be done.

    Attributes:
        workflow: the workflow's name (or id as text when the name is unknown).
        step: the pipeline step that failed (``validate``, ``compile``, ``write``, ``import``,
            ``replay``, ``load``, ``schedule``), or "" outside a deploy.
        reason: what went wrong, in a sentence a user understands.
    """

    def __init__(self, reason: str, *, workflow: str, step: str = "") -> None:
        self.workflow = workflow
        self.step = step
        self.reason = reason
        where = f"workflow {workflow!r}" + (f", step {step}" if step else "")
        super().__init__(f"{where}: {reason}")


class DeterminismError(DeployError):
    """New code would not replay a recorded or running execution the way it first ran.

    Attributes:
        workflow_type: the Temporal workflow type whose code changed.
        run_id: the workflow id (and run) whose history failed to replay.
        nodes: ids of the graph nodes whose generated code changed (may be empty when the old
            code is unknown and the history names no node).
        detail: the SDK's non-determinism message.
    """

    def __init__(
        self,
        *,
        workflow: str,
        workflow_type: str,
        run_id: str,
        nodes: tuple[str, ...],
        detail: str,
    ) -> None:
        self.workflow_type = workflow_type
        self.run_id = run_id
        self.nodes = nodes
        self.detail = detail
        if nodes:
            culprit = "the code of node(s) " + ", ".join(repr(n) for n in nodes) + " changed"
        else:
            culprit = "the generated code changed"
        super().__init__(
            f"{culprit}, so run {run_id} of {workflow_type} would not replay: {detail}",
            workflow=workflow,
            step="replay",
        )
