"""The home page renders the example gallery with each example's validation status."""

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
    assert app.title[0].value == "Workflow Builder"
    table = app.dataframe[0].value
    assert len(table) == len(list((ROOT / "examples").glob("*.json")))
    assert set(table["Validation"]) == {"valid"}
    assert app.metric[0].value == f"{len(table)} of {len(table)}"
