"""Pure parts of the deploy and versions views: step lines, summaries, the versions table."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from core.db import DeploymentRecord, DeploymentStatus, VersionRecord
from core.deploy import DeployStep, StepStatus
from pages.widgets.deploy_panel import live_summary, step_line
from pages.widgets.versions_panel import version_rows

WHEN = datetime(2026, 1, 2, 3, 4, 5)


def _version(number: int) -> VersionRecord:
    return VersionRecord(number * 10, 1, number, {}, "g", "b", "1", WHEN)


def _deployment(id_: int, number: int, status: DeploymentStatus, error=None) -> DeploymentRecord:
    return DeploymentRecord(
        id_, 1, number * 10, "q", f"wf_v{number}", status, error, "/d", WHEN, None, None
    )


def test_step_lines_show_the_elapsed_time_once_the_step_ended():
    assert step_line(DeployStep("compile", StepStatus.RUNNING, "generating")) == (
        ":material/progress_activity: **compile** - generating"
    )
    assert step_line(DeployStep("load", StepStatus.DONE, "polling", 0.0421)) == (
        ":green[:material/check_circle:] **load** (42 ms) - polling"
    )
    assert step_line(DeployStep("load", StepStatus.FAILED, "no", 2.5)) == (
        ":red[:material/error:] **load** (2.50 s) - no"
    )


def test_summary_says_what_is_live_or_that_nothing_changed():
    result = SimpleNamespace(
        unchanged=False,
        version=_version(3),
        workflow_type="wf_v3",
        deployment=_deployment(7, 3, DeploymentStatus.ACTIVE),
    )
    assert live_summary(result) == "version 3 is live as wf_v3 on q"
    result.unchanged = True
    assert live_summary(result) == "nothing changed (version 3 is live)"


def test_each_version_shows_its_newest_deployment():
    rows = version_rows(
        [_version(3), _version(2), _version(1)],
        [
            _deployment(4, 2, DeploymentStatus.ACTIVE),
            _deployment(3, 3, DeploymentStatus.FAILED, error="workers said no"),
            _deployment(2, 2, DeploymentStatus.FAILED, error="an older failure"),
        ],
    )
    assert rows.to_dict("records") == [
        {
            "Version": 3,
            "Made by": "deploy",
            "Status": "failed",
            "Created": "2026-01-02 03:04:05",
            "Workflow type": "wf_v3",
            "Task queue": "q",
            "Error": "workers said no",
        },
        {
            "Version": 2,
            "Made by": "deploy",
            "Status": "active",
            "Created": "2026-01-02 03:04:05",
            "Workflow type": "wf_v2",
            "Task queue": "q",
            "Error": "",
        },
        {
            "Version": 1,
            "Made by": "deploy",
            "Status": "not deployed",
            "Created": "2026-01-02 03:04:05",
            "Workflow type": "",
            "Task queue": "",
            "Error": "",
        },
    ]
