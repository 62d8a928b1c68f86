"""Deploy progress: each pipeline step shown as it runs, then what is live (or why not)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.background import Job
from core.deploy import DeployResult, DeployStep, ProgressCallback, StepStatus
from core.errors import WorkflowBuilderError
from core.services import UserServices
from core.text import markdown_literal

# How often a deploy's progress is looked at while it runs.
_WATCH_INTERVAL_S = 0.25

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


@dataclass(frozen=True)
class _DeployJob:
    label: str
    job: Job[DeployStep, DeployResult]


def request_deploy(workflow_id: int) -> None:
    """Note that a deploy was asked for (a button's ``on_click``).

    The note outlives a script run cut short before the deploy starts; `start_requested`
    takes it.
    """
    st.session_state[_requested_key(workflow_id)] = True


def deploy_pending(workflow_id: int) -> bool:
    """True while a deploy or rollback of the workflow is asked for or under way."""
    return (
        bool(st.session_state.get(_requested_key(workflow_id)))
        or _job_key(workflow_id) in st.session_state
    )


def start_requested(
    workflow_id: int, *, action: Callable[[ProgressCallback], DeployResult]
) -> None:
    """Start the deploy `request_deploy` asked for, if any and none is under way yet."""
    if st.session_state.pop(_requested_key(workflow_id), False):
        start_deploy(workflow_id, label="Deploy", action=action)


def start_deploy(
    workflow_id: int, *, label: str, action: Callable[[ProgressCallback], DeployResult]
) -> None:
    """Run ``action`` (a deploy or rollback given a progress callback) as a background job.

    It runs to its end whatever the page does meanwhile; `watch_deploy` shows it. A second
    one for the same workflow is not started while one is under way.
    """
    if _job_key(workflow_id) not in st.session_state:
        st.session_state[_job_key(workflow_id)] = _DeployJob(label, Job(action))


def watch_deploy(services: UserServices, workflow_id: int) -> None:
    """Show the workflow's deploy under way, step by step, until it ends; then remember how.

    A rerun may cut this short at any element call: the job goes on, and the next run of the
    page watches it again.
    """
    running: _DeployJob | None = st.session_state.get(_job_key(workflow_id))
    if running is None:
        return
    reports: dict[str, DeployStep] = {}
    with st.status(f"{running.label}...", expanded=True) as box:
        slots: dict[str, DeltaGenerator] = {}
        ended = False
        while not ended:
            ended = running.job.wait(_WATCH_INTERVAL_S)
            for step in running.job.reports:
                if reports.get(step.name) != step:
                    reports[step.name] = step
                    if step.name not in slots:
                        slots[step.name] = st.empty()
                    slots[step.name].markdown(step_line(step))
        # The outcome is kept, and the job forgotten, before anything more is drawn: a rerun
        # may cut this run short at its next element call.
        try:
            outcome = _outcome(services, workflow_id, running, reports)
        finally:
            del st.session_state[_job_key(workflow_id)]  # an unexpected error shows once
        st.session_state[_key(workflow_id)] = outcome
        failed = outcome.error is not None
        box.update(
            label=markdown_literal(outcome.title),
            state="error" if failed else "complete",
            expanded=failed,
        )
        if failed:
            st.error(markdown_literal(outcome.error or ""), icon=":material/error:")
    # Drawn again from the top: the header above still says a deploy is under way.
    st.rerun()


def _outcome(
    services: UserServices, workflow_id: int, running: _DeployJob, reports: dict[str, DeployStep]
) -> DeployOutcome:
    try:
        result = running.job.result()
    except WorkflowBuilderError as error:
        return _failure(services, workflow_id, running.label, reports, error)
    return DeployOutcome(title=live_summary(result), steps=tuple(reports.values()))


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


def _requested_key(workflow_id: int) -> str:
    return f"deploy_requested_{workflow_id}"


def _job_key(workflow_id: int) -> str:
    return f"deploy_job_{workflow_id}"
