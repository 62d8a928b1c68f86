"""The banner of open alerts: on every page, most severe first, its text as text, with its link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.db import AlertSeverity, Database
from core.db.repositories import AlertFinding
from core.text import markdown_literal

ROOT = Path(__file__).resolve().parents[2]
SINCE = datetime(2026, 11, 30, 10, 15, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("WB_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(ROOT)
    with Database.open(f"sqlite:///{tmp_path / 'workflow_builder.db'}") as database:
        yield database
    # The services object is cached per process; the next test brings its own data folder.
    from pages.widgets.services import get_services

    get_services.clear()


def open_alerts(database: Database, *findings: AlertFinding) -> None:
    database.alerts.sync(findings, rules={f.rule for f in findings}, now=SINCE)


def app(page: str = "app.py") -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=30)
    at.run()
    assert not at.exception
    return at


def test_an_open_alert_shows_with_its_title_detail_and_link(database: Database) -> None:
    link = "./runs?workflow=orders&status=failed%2Ctimed_out%2Cterminated&range=1h"
    open_alerts(
        database,
        AlertFinding(
            "failure_rate:orders",
            "failure_rate",
            AlertSeverity.WARNING,
            "orders: 40% of runs failed in the last 15 min",
            "2 of 5 runs failed",
            link,
        ),
    )

    [banner] = [w for w in app().warning if "orders" in w.value]

    assert markdown_literal("orders: 40% of runs failed in the last 15 min") in banner.value
    assert "Since 2026-11-30 10:15 UTC" in banner.value
    assert f"[Open the runs]({link})" in banner.value


def test_critical_alerts_come_first_as_errors_and_user_text_stays_text(
    database: Database,
) -> None:
    open_alerts(
        database,
        AlertFinding("w:1", "w", AlertSeverity.WARNING, "Worker w-1 was lost", "d", "./workers"),
        AlertFinding(
            "q:1",
            "q",
            AlertSeverity.CRITICAL,
            "No live worker on task queue *q*",
            "Runs of [x](http://evil) wait",
            "./workers",
        ),
    )

    at = app()
    [critical] = [e for e in at.error if "No live worker" in e.value]

    assert r"\*q\*" in critical.value and r"\[x\]\(http" in critical.value
    assert "[Open the workers](./workers)" in critical.value
    assert any(markdown_literal("Worker w-1 was lost") in w.value for w in at.warning)


def test_more_than_three_alerts_keep_the_rest_in_an_expander(database: Database) -> None:
    open_alerts(
        database,
        *(
            AlertFinding(f"r:{n}", "r", AlertSeverity.WARNING, f"Alert {n}", "d", "./workers")
            for n in range(5)
        ),
    )

    at = app()

    assert sum("Alert" in w.value for w in at.warning) == 5
    assert [e.label for e in at.expander if "open alerts" in e.label] == ["2 more open alerts"]


def test_no_alert_no_banner(database: Database) -> None:
    at = app()

    assert not any("[Open the" in w.value for w in [*at.warning, *at.error])
