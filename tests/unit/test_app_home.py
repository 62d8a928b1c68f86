"""The home page of an app without runs: the dashboard's empty states, the demo data button,
and the example gallery with each example's validation status, without starting Temporal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("WB_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(ROOT)
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    # The services object is cached per process; the next test brings its own data folder.
    from pages.widgets.services import get_services

    get_services.clear()


def test_home_lists_every_example_as_valid(app: AppTest):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Dashboard"
    table = app.dataframe[0].value
    assert len(table) == len(list((ROOT / "examples").glob("*.json")))
    assert set(table["Validation"]) == {"valid"}
    assert app.metric[0].value == f"{len(table)} of {len(table)}"


def test_an_empty_app_offers_demo_data_and_says_what_each_chart_will_show(app: AppTest):
    app.run()
    assert not app.exception
    assert [button.label for button in app.button] == ["Load demo data"]
    notes = [info.value for info in app.info]
    assert notes[0].startswith("No runs yet.")
    assert (
        "Runs appear here once a workflow runs. Start one from the builder or load demo data."
        in notes
    )
    assert any(note.startswith("Temporal is not started yet") for note in notes)
    assert not app.get("plotly_chart")
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["Runs"] == "0" and tiles["Failure rate"] == "–"
    from pages.widgets.services import get_services

    assert not get_services().temporal_started, "an empty app opens without starting Temporal"
