"""Which graph node each step of a run was: its history replayed against the version's code.

Generated workflows set ``self.step = "<node id>"`` as each node begins. Replaying a history
against the exact code that made it (Temporal's ``Replayer``) re-runs those assignments and the
activity and child workflow calls in their original order, so the trail they leave names the
node behind every command in the history, including nodes that leave no event of their own
(conditions, variables, ends). No code is changed and nothing is sent to Temporal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    Replayer,
    StartActivityInput,
    StartChildWorkflowInput,
    StartLocalActivityInput,
    UnsandboxedWorkflowRunner,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

logger = logging.getLogger(__name__)

#: The attribute generated workflows keep the current node id in (see core.compiler).
STEP_ATTRIBUTE = "step"


@dataclass(frozen=True)
class TrailEntry:
    """One thing the workflow did while replaying.

    Attributes:
        kind: ``step`` (a node began), ``activity``, ``local`` (a local activity) or
            ``child`` (a call was made).
        node_id: the node it belongs to.
        history_length: the history length of the workflow task it happened in, i.e. the
            event id of that task's ``WorkflowTaskStarted``.
        args: a local activity's arguments (its marker in the history does not keep them).
    """

    kind: str
    node_id: str
    history_length: int
    args: tuple[Any, ...] | None = None


@dataclass
class Trail:
    """Everything one replay recorded, in order; ``error`` says why a replay broke off."""

    entries: list[TrailEntry] = field(default_factory=list)
    error: str | None = None

    def of_kind(self, kind: str) -> list[TrailEntry]:
        """The entries of one kind, in order."""
        return [entry for entry in self.entries if entry.kind == kind]


async def replay_trail(workflow_class: type, history: WorkflowHistory) -> Trail:
    """Replay ``history`` against ``workflow_class`` and return the trail of its steps.

    A history the code does not replay (another version's, or a corrupted one) leaves the
    trail as far as it got, with ``error`` set; nothing is raised.
    """
    trail = Trail()
    replayer = Replayer(
        workflows=[workflow_class],
        interceptors=[_TrailInterceptor(trail)],
        # The code is our own compiler's output, already validated by the workers' sandbox;
        # replaying it outside the sandbox lets the trail hook see the workflow object.
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    try:
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    except Exception as error:  # the SDK may raise for a history it cannot read at all
        trail.error = f"{type(error).__name__}: {error}"
        return trail
    if result.replay_failure is not None:
        trail.error = str(result.replay_failure).strip().splitlines()[0]
        logger.info("replay of %s stopped early: %s", history.workflow_id, trail.error)
    return trail


def _recording_class(base: type, record: Callable[[str, str], None]) -> type:
    """A subclass of ``base`` whose ``step`` assignments are recorded as they happen."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if name == STEP_ATTRIBUTE and isinstance(value, str) and value:
            record("step", value)
        object.__setattr__(self, name, value)

    return type(f"Traced{base.__name__}", (base,), {"__setattr__": __setattr__})


class _TrailInterceptor(Interceptor):
    def __init__(self, trail: Trail) -> None:
        self._trail = trail

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        trail = self._trail

        def record(kind: str, node_id: str, args: tuple[Any, ...] | None = None) -> None:
            length = workflow.info().get_current_history_length()
            trail.entries.append(TrailEntry(kind, node_id, length, args))

        def current_step() -> str:
            return str(getattr(workflow.instance(), STEP_ATTRIBUTE, "") or "")

        class Outbound(WorkflowOutboundInterceptor):
            def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle[Any]:
                record("activity", current_step())
                return super().start_activity(input)

            def start_local_activity(
                self, input: StartLocalActivityInput
            ) -> workflow.ActivityHandle[Any]:
                # Its own kind: a local activity's marker is matched by its sequence number,
                # which counts local activities only.
                record("local", current_step(), tuple(input.args))
                return super().start_local_activity(input)

            async def start_child_workflow(
                self, input: StartChildWorkflowInput
            ) -> workflow.ChildWorkflowHandle[Any, Any]:
                record("child", current_step())
                return await super().start_child_workflow(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

            async def execute_workflow(self, input: ExecuteWorkflowInput) -> Any:
                instance = workflow.instance()
                # Python lets an object change to a subclass of its own class: the workflow
                # keeps its state and methods, and its step assignments now leave a trail.
                instance.__class__ = _recording_class(type(instance), record)
                return await super().execute_workflow(input)

        return Inbound
