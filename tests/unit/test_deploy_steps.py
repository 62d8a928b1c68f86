"""Deploy progress reports: running, then done or failed with the error, with timings."""

from __future__ import annotations

import pytest

from core.deploy.steps import DeployStep, StepReporter, StepStatus


def test_steps_report_running_then_done_with_their_message():
    seen: list[DeployStep] = []
    reporter = StepReporter(seen.append)
    with reporter.step("compile", "generating") as out:
        out.append("hello_v1")
    assert [(s.name, s.status, s.message) for s in seen] == [
        ("compile", StepStatus.RUNNING, "generating"),
        ("compile", StepStatus.DONE, "hello_v1"),
    ]
    assert seen[-1].elapsed >= 0 and reporter.finished == [seen[-1]]


def test_a_failing_step_reports_the_error_and_raises_it():
    seen: list[DeployStep] = []
    reporter = StepReporter(seen.append)
    with pytest.raises(ValueError, match="bad graph"), reporter.step("validate"):
        raise ValueError("bad graph")
    assert (seen[-1].status, seen[-1].message) == (StepStatus.FAILED, "bad graph")


def test_a_broken_progress_callback_does_not_break_the_deploy():
    def broken(_: DeployStep) -> None:
        raise RuntimeError("display gone")

    reporter = StepReporter(broken)
    with reporter.step("ready") as out:
        out.append("fine")
    assert reporter.finished[0].status is StepStatus.DONE
