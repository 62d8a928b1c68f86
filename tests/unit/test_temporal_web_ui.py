"""Temporal Web UI links: the configured URL, else the embedded UI at the browser's host."""

from __future__ import annotations

import pytest

from core.temporal.web_ui import run_history_url, web_ui_base

EMBEDDED = "http://127.0.0.1:8233"


def test_a_configured_url_wins_as_it_is():
    found = web_ui_base(
        configured="https://temporal.example.com/ui/", embedded=EMBEDDED, browser="http://x:8501/"
    )
    assert found == "https://temporal.example.com/ui"


def test_a_cluster_without_a_configured_ui_has_no_links():
    assert web_ui_base(configured=None, embedded=None, browser="http://console:8501/") is None


@pytest.mark.parametrize(
    ("browser", "base"),
    [
        ("http://console.lan:8501/runs?status=failed", "http://console.lan:8233"),
        ("https://10.0.0.5/", "http://10.0.0.5:8233"),
        ("console.lan:8501", "http://console.lan:8233"),
        ("localhost", "http://localhost:8233"),
        ("http://[::1]:8501/", "http://[::1]:8233"),
    ],
)
def test_the_embedded_ui_is_linked_at_the_browsers_host_on_its_own_port(browser: str, base: str):
    assert web_ui_base(configured=None, embedded=EMBEDDED, browser=browser) == base


@pytest.mark.parametrize("browser", [None, "", "   "])
def test_without_the_browsers_address_the_embedded_ui_keeps_its_own(browser: str | None):
    assert web_ui_base(configured=None, embedded=EMBEDDED, browser=browser) == EMBEDDED


def test_run_history_url_quotes_ids():
    url = run_history_url(
        "http://h:8233", namespace="default", workflow_id="sched/2026-03-01T07:00:00Z", run_id="r1"
    )
    assert url == (
        "http://h:8233/namespaces/default/workflows/sched%2F2026-03-01T07%3A00%3A00Z/r1/history"
    )
