"""An unexpected error on a page or in a fragment: an error id on screen, the traceback logged."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
from streamlit.testing.v1 import AppTest

from core.dashboard import DashboardService
from tests.unit.console import ROOT

SECRET_PATH = "/srv/private/settings.toml"
MESSAGE = re.compile(r"^Something went wrong \(error ([0-9a-f]{8})\); the log has the details\.$")


@pytest.fixture
def app(console: AppTest) -> AppTest:
    return console


def _shown(at: AppTest) -> str:
    """Every text the page shows, in one string."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "exception", "code")
    return "\n".join(str(element.value) for kind in kinds for element in at.get(kind))


def test_a_page_that_fails_shows_an_error_id_and_logs_the_traceback(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(self: DashboardService) -> bool:
        raise RuntimeError(f"cannot read {SECRET_PATH}")

    # The home page, through app.py's navigation (AppTest.switch_page runs a page file alone).
    monkeypatch.setattr(DashboardService, "has_deployments", broken)
    app.run()

    assert not app.exception  # nothing reached Streamlit's own error box
    (match,) = [MESSAGE.match(error.value) for error in app.error if MESSAGE.match(error.value)]
    shown = _shown(app)
    for leak in (SECRET_PATH, "Traceback", "RuntimeError", str(ROOT)):
        assert leak not in shown
    log = (tmp_path / "logs" / "workflow-builder.log").read_text()
    (line,) = [line for line in log.splitlines() if match.group(1) in line]
    assert "unexpected error" in line and "page Home" in line
    assert "Traceback" in log and SECRET_PATH in log


def _fragments_script() -> None:
    import streamlit as st

    from pages.widgets.errors import fragment

    @fragment()
    def broken() -> None:
        raise KeyError("/srv/private/key")

    @fragment()
    def again() -> None:
        st.session_state.runs = st.session_state.get("runs", 0) + 1
        if st.session_state.runs < 3:
            st.rerun()  # control flow, not an error: it must still rerun

    broken()
    again()
    st.markdown("after the fragments")


def test_a_fragment_that_fails_shows_an_id_and_control_flow_passes(monkeypatch):
    monkeypatch.chdir(ROOT)
    at = AppTest.from_function(_fragments_script, default_timeout=30).run()

    assert not at.exception
    assert [bool(MESSAGE.match(error.value)) for error in at.error] == [True]
    assert "/srv/private/key" not in _shown(at)
    assert at.session_state.runs == 3
    assert at.markdown[-1].value == "after the fragments"


def test_streamlit_control_flow_is_not_an_exception():
    # app.py and the fragment guard catch Exception; st.rerun, st.stop and st.switch_page
    # raise these, which must not be caught there.
    assert not issubclass(ScriptControlException, Exception)


def test_the_console_defaults_to_loopback_and_hides_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    # "none": no message, type or traceback (the legacy false still shows the traceback).
    assert config["client"]["showErrorDetails"] == "none"


def test_a_database_outage_shows_what_to_check_and_the_page_recovers(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import psycopg
    import sqlalchemy.exc

    def down(self: DashboardService) -> bool:
        raise sqlalchemy.exc.OperationalError(
            "SELECT 1", {}, psycopg.OperationalError("connection refused")
        )

    with monkeypatch.context() as patched:
        patched.setattr(DashboardService, "has_deployments", down)
        app.run()
        assert not app.exception
        (notice,) = [w.value for w in app.warning if "The database is unavailable" in w.value]
        assert "DATABASE_URL" in notice and "tries again" in notice
        assert not any(MESSAGE.match(error.value) for error in app.error)  # no error id
        assert "connection refused" not in _shown(app)

    app.run()  # what the retry does once the database is back
    assert not app.exception
    assert not [w for w in app.warning if "unavailable" in w.value]
