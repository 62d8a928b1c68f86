"""Helpers of AppTests of the whole console (see the ``console`` fixture in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from core.services import AppServices
from pages.widgets.session import SIDE_TAB_KEY

ROOT = Path(__file__).resolve().parents[2]


def app_services() -> AppServices:
    """The services the console under test uses (cached per process, like the app's)."""
    from pages.widgets.services import get_services

    return get_services()


def opened(at: AppTest, page: str) -> AppTest:
    """``at`` switched to ``page`` (a file under pages/) and run, without an exception.

    Run ``at`` once before: app.py's first run sets up the navigation.
    """
    at.switch_page(page).run()
    assert not at.exception
    return at


def in_builder(at: AppTest, *, example: str, name: str) -> AppTest:
    """``at`` run once, then on the builder with a new workflow ``name`` copied from
    ``example``."""
    at.run()
    workflow = app_services().workflows.create_from_example(example, name=name)
    at.session_state["builder_workflow_id"] = workflow.id
    return opened(at, "pages/builder.py")


def settings_open(at: AppTest) -> AppTest:
    """``at`` (on the builder) run again with its "Workflow settings" tab open: only the open
    tab of the side panel is drawn."""
    at.session_state[SIDE_TAB_KEY] = "Workflow settings"
    return at.run()


def saved_draft(at: AppTest) -> dict[str, Any]:
    """The saved draft of the workflow open in the builder."""
    return app_services().workflows.get(at.session_state["builder_workflow_id"]).draft_graph
