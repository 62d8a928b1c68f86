"""Deploy progress: each pipeline step shown as it runs, then what is live (or why not)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.deploy import DeployResult, DeployStep, ProgressCallback, StepStatus
from core.errors import WorkflowBuilderError
from core.services import UserServices
from core.text import markdown_literal

_ICONS = {
    StepStatus.RUNNING: ":material/progress_activity:",
    StepStatus.DONE: ":green[:material/check_circle:]",
    StepStatus.FAILED: ":red[:material/error:]",
}


@dataclass(frozen=True)
class DeployOutcome:
    """How the last deploy or rollback of a workflow ended, kept to show it after reruns.

    Attributes:
        title: the status line: what is live, or which step failed (plain text).
        steps: the last report of each step, in order.
        error: the failure message (plain text), or None when it succeeded.
    """

    title: str
    steps: tuple[DeployStep, ...]
    error: str | None = None


def step_line(step: DeployStep) -> str:
    """One step as a Markdown line: icon, name, elapsed time, message."""
    elapsed = "" if step.status is StepStatus.RUNNING else f" ({_duration(step.elapsed)})"
    message = f" - {markdown_literal(step.message)}" if step.message else ""
    return f"{_ICONS[step.status]} **{step.name}**{elapsed}{message}"


def live_summary(result: DeployResult) -> str:
    """What a successful deploy left serving."""
    if result.unchanged:
        return f"nothing changed (version {result.version.version} is live)"
    return (
        f"version {result.version.version} is live as {result.workflow_type} "
        f"on {result.deployment.task_queue}"
    )


def run_deploy(
    services: UserServices,
    workflow_id: int,
    *,
    label: str,
    action: Callable[[ProgressCallback], DeployResult],
) -> DeployOutcome:
    """Run ``action`` (a deploy or rollback given a progress callback) inside a live status box.

    Returns the outcome, which the caller keeps (see :func:`remember`) to show on later reruns.
    """
    reports: dict[str, DeployStep] = {}
    with st.status(f"{label}...", expanded=True) as box:
        slots: dict[str, DeltaGenerator] = {}

        def progress(step: DeployStep) -> None:
            reports[step.name] = step
            if step.name not in slots:
                slots[step.name] = st.empty()
            slots[step.name].markdown(step_line(step))

        try:
            result = action(progress)
        except WorkflowBuilderError as error:
            outcome = _failure(services, workflow_id, label, reports, error)
            box.update(label=markdown_literal(outcome.title), state="error", expanded=True)
            st.error(markdown_literal(outcome.error or ""), icon=":material/error:")
            return outcome
        outcome = DeployOutcome(title=live_summary(result), steps=tuple(reports.values()))
        box.update(label=markdown_literal(outcome.title), state="complete", expanded=False)
    return outcome


def show_outcome(outcome: DeployOutcome) -> None:
    """Show a remembered outcome: collapsed when it succeeded, open with the error if not."""
    failed = outcome.error is not None
    with st.status(
        markdown_literal(outcome.title), expanded=failed, state="error" if failed else "complete"
    ):
        for step in outcome.steps:
            st.markdown(step_line(step))
        if failed:
            st.error(markdown_literal(outcome.error or ""), icon=":material/error:")


def remember(workflow_id: int, outcome: DeployOutcome) -> None:
    """Keep ``outcome`` as the workflow's last deploy outcome in this browser session."""
    st.session_state[_key(workflow_id)] = outcome


def remembered(workflow_id: int) -> DeployOutcome | None:
    """The workflow's last deploy outcome in this browser session, if any."""
    return st.session_state.get(_key(workflow_id))


def _failure(
    services: UserServices,
    workflow_id: int,
    label: str,
    reports: dict[str, DeployStep],
    error: WorkflowBuilderError,
) -> DeployOutcome:
    failed = [step.name for step in reports.values() if step.status is StepStatus.FAILED]
    step = getattr(error, "step", "") or (failed[-1] if failed else "")
    reason = getattr(error, "reason", "") or str(error)
    where = f" at step {step}" if step else ""
    return DeployOutcome(
        title=f"{label} failed{where}: {_serving(services, workflow_id)}",
        steps=tuple(reports.values()),
        error=f"{step or label}: {reason}",
    )


def _serving(services: UserServices, workflow_id: int) -> str:
    active = services.deploy.active(workflow_id)
    if active is None:
        return "nothing is deployed yet"
    number = next(
        v.version for v in services.deploy.versions(workflow_id) if v.id == active.version_id
    )
    return f"version {number} ({active.workflow_type}) keeps serving"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _key(workflow_id: int) -> str:
    return f"deploy_outcome_{workflow_id}"
