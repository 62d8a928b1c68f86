"""Unit-test fixtures: the whole console (app.py) under AppTest, on a data folder of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit.console import ROOT


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """app.py under AppTest, not run yet, with its data (database, logs) in ``tmp_path``."""
    monkeypatch.setenv("WB_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(ROOT)
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    # The services object is cached per process; the next test brings its own data folder.
    from pages.widgets.services import get_services

    get_services.clear()
