"""Errors the worker fleet raises: code a queue cannot serve, workers that cannot start or stop."""

from __future__ import annotations

from core.errors import WorkflowBuilderError


class FleetError(WorkflowBuilderError):
    """Root of the errors raised by ``core.fleet``.

    Attributes:
        task_queue: the task queue at fault (None when the error is not about one queue).
        reason: what went wrong.
    """

    def __init__(self, reason: str, *, task_queue: str | None = None) -> None:
        self.task_queue = task_queue
        self.reason = reason
        super().__init__(f"task queue {task_queue!r}: {reason}" if task_queue else reason)


class DeploymentCodeError(FleetError):
    """The code of one deployment cannot be obtained or loaded.

    Attributes:
        deployment_id: the deployment whose bundle is at fault.
        workflow_type: its workflow type.
    """

    def __init__(
        self, reason: str, *, task_queue: str, deployment_id: int, workflow_type: str
    ) -> None:
        self.deployment_id = deployment_id
        self.workflow_type = workflow_type
        super().__init__(
            f"deployment {deployment_id} ({workflow_type}): {reason}", task_queue=task_queue
        )


class WorkerStartError(FleetError):
    """A worker could not start polling its task queue.

    Attributes:
        worker_id: the registry id of the worker.
    """

    def __init__(self, reason: str, *, task_queue: str, worker_id: str) -> None:
        self.worker_id = worker_id
        super().__init__(f"worker {worker_id} did not start: {reason}", task_queue=task_queue)


class NothingToServeError(FleetError):
    """A queue has no pending, active or draining deployment, so it gets no worker."""

    def __init__(self, task_queue: str) -> None:
        super().__init__(
            "nothing to serve: no pending, active or draining deployment uses this queue; "
            "deploy a workflow to it first",
            task_queue=task_queue,
        )


class QueueStateError(FleetError):
    """An operation does not fit the queue's state (already running, not running here, ...)."""


class FleetConfigError(FleetError):
    """A fleet setting or argument is unusable (pool size out of range, no Temporal address)."""
