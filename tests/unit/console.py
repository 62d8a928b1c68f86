"""Helpers of AppTests of the whole console (see the ``console`` fixture in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.services import AppServices

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
