"""The versions panel: the rollback control stays consistent across a confirmed rollback, and
the table says which versions a rollback made (a stand-in deploy service, no Temporal)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from streamlit.testing.v1 import AppTest

from core.auth import Actor, Role
from core.db import DeploymentRecord, DeploymentStatus, VersionRecord
from core.deploy import DeployResult
from core.errors import WorkflowBuilderError
from pages.widgets.services import ACTOR_KEY
from pages.widgets.versions_panel import rollback_target

WORKFLOW = 7
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


class _Deploy:
    """Versions and deployments in memory; a rollback adds a version as the real one does."""

    def __init__(self, count: int) -> None:
        self.version_list: list[VersionRecord] = []
        self.deployment_list: list[DeploymentRecord] = []
        self.rollbacks: list[int] = []
        for _ in range(count):
            self._add(rollback_of=None)

    def _add(self, *, rollback_of: int | None) -> tuple[VersionRecord, DeploymentRecord]:
        number = len(self.version_list) + 1
        version = VersionRecord(
            id=100 + number,
            workflow_id=WORKFLOW,
            version=number,
            graph={},
            graph_hash="g",
            bundle_hash="b",
            compiler_version="1",
            created_at=NOW,
            rollback_of=rollback_of,
        )
        self.deployment_list = [
            dataclasses.replace(d, status=DeploymentStatus.DRAINING) for d in self.deployment_list
        ]
        deployment = DeploymentRecord(
            id=number,
            workflow_id=WORKFLOW,
            version_id=version.id,
            task_queue="q",
            workflow_type=f"flow_v{number}",
            status=DeploymentStatus.ACTIVE,
            error=None,
            bundle_dir="unused",
            created_at=NOW,
            activated_at=NOW,
            retired_at=None,
        )
        self.version_list.insert(0, version)
        self.deployment_list.insert(0, deployment)
        return version, deployment

    def versions(self, workflow_id: int) -> list[VersionRecord]:
        return list(self.version_list)

    def deployments(self, workflow_id: int) -> list[DeploymentRecord]:
        return list(self.deployment_list)

    def diff(self, workflow_id: int, a: int, b: int) -> Any:
        raise WorkflowBuilderError("no diff in this test")

    def rollback(self, workflow_id: int, version: int, *, progress: Any = None) -> DeployResult:
        self.rollbacks.append(version)
        new, deployment = self._add(rollback_of=version)
        return DeployResult(
            version=new,
            deployment=deployment,
            new_version=True,
            unchanged=False,
            previous=None,
            steps=(),
        )


class _Services:
    def __init__(self, count: int) -> None:
        self.deploy = _Deploy(count)


def _panel() -> None:
    """The panel as the builder draws it: below the watch of a deploy or rollback under way."""
    import streamlit as st

    from pages.widgets.deploy_panel import watch_deploy
    from pages.widgets.versions_panel import versions_panel

    watch_deploy(st.session_state.fake, 7)
    versions_panel(st.session_state.fake, 7, name="flow")  # WORKFLOW: the script sees no globals


def _app(count: int) -> AppTest:
    at = AppTest.from_function(_panel, default_timeout=30)
    at.session_state.fake = _Services(count)
    at.session_state[ACTOR_KEY] = Actor("ed", Role.EDITOR)
    return at.run()


def _button(at: AppTest, label: str):
    return next(button for button in at.button if button.label == label)


def test_the_control_offers_the_version_before_the_live_one() -> None:
    assert rollback_target([3, 2, 1], live=3) == 2
    assert rollback_target([3, 2, 1], live=1) == 1  # nothing older: the oldest
    assert rollback_target([2, 1], live=None) == 2


def test_a_confirmed_rollback_leaves_select_and_button_agreeing_and_the_next_one_works() -> None:
    at = _app(3)
    assert not at.exception
    select = at.selectbox(key=f"rollback_{WORKFLOW}")
    assert select.value == 2 and select.options == ["3 (live)", "2", "1"]
    select.set_value(1).run()
    _button(at, "Roll back to version 1").click().run()
    assert "Roll back to version 1?" in at.warning[0].value
    assert at.selectbox(key=f"rollback_{WORKFLOW}").disabled  # still drawn, so its state stays
    _button(at, "Confirm rollback to version 1").click().run()
    assert not at.exception
    fake: _Services = at.session_state.fake
    assert fake.deploy.rollbacks == [1]

    # Version 4 is live; the control offers version 3 and its button says so.
    select = at.selectbox(key=f"rollback_{WORKFLOW}")
    assert select.value == 3 and select.options[0] == "4 (live)"
    assert [b.label for b in at.button if b.key == f"rollback_start_{WORKFLOW}"] == [
        "Roll back to version 3"
    ]
    table = at.dataframe[0].value
    assert list(table["Version"]) == [4, 3, 2, 1]
    assert list(table["Made by"]) == ["rollback of v1", "deploy", "deploy", "deploy"]

    # The next rollback goes through too.
    select.set_value(2).run()
    _button(at, "Roll back to version 2").click().run()
    _button(at, "Confirm rollback to version 2").click().run()
    assert fake.deploy.rollbacks == [1, 2]
    assert list(at.dataframe[0].value["Made by"])[:2] == ["rollback of v2", "rollback of v1"]


def test_the_live_version_cannot_be_rolled_back_to_and_cancel_keeps_the_choice() -> None:
    at = _app(2)
    select = at.selectbox(key=f"rollback_{WORKFLOW}")
    select.set_value(2).run()
    assert _button(at, "Roll back to version 2").disabled
    at.selectbox(key=f"rollback_{WORKFLOW}").set_value(1).run()
    _button(at, "Roll back to version 1").click().run()
    _button(at, "Cancel").click().run()
    assert at.selectbox(key=f"rollback_{WORKFLOW}").value == 1
    assert not _button(at, "Roll back to version 1").disabled
    fake: _Services = at.session_state.fake
    assert fake.deploy.rollbacks == []
