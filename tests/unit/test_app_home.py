"""The home page of an app without runs: the dashboard's empty states, the demo data button,
and the example gallery with each example's validation status, without starting Temporal."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit.console import ROOT


@pytest.fixture
def app(console: AppTest) -> AppTest:
    return console


def _tries(app: AppTest) -> dict[str, Any]:
    return {b.key.removeprefix("try_example_"): b for b in app.button if b.label == "Try it"}


def test_home_shows_every_example_as_a_valid_card(app: AppTest):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Dashboard"
    examples = sorted(path.stem for path in (ROOT / "examples").glob("*.json"))
    assert sorted(_tries(app)) == examples
    sizes = [c.value for c in app.caption if " nodes · " in c.value]
    assert len(sizes) == len(examples) and all(s.endswith("nodes · valid") for s in sizes)


def test_try_it_opens_a_copy_of_the_example_in_the_builder_each_time(app: AppTest):
    app.run()
    from pages.widgets.services import get_services
    from pages.widgets.session import WORKFLOW_KEY

    opened = []
    for _ in range(2):
        _tries(app)["hello_activity"].click().run()
        assert not app.exception
        opened.append(get_services().workflows.get(app.session_state[WORKFLOW_KEY]).name)
        assert app.query_params["workflow"] == str(app.session_state[WORKFLOW_KEY])
        app.switch_page("pages/home.py").run()
    assert opened == ["hello_activity", "hello_activity_2"]


def test_an_empty_app_offers_demo_data_and_says_what_each_chart_will_show(app: AppTest):
    app.run()
    assert not app.exception
    assert [b.label for b in app.button if b.label != "Try it"] == ["Load demo data"]
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
