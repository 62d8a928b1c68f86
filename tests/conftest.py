"""Fixtures and collection rules shared by every test layer."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).resolve().parent

# A test's folder decides its layer marker, so `-m "not e2e"` works without per-file marks.
_LAYER_MARKERS = {"integration": pytest.mark.integration, "e2e": pytest.mark.e2e}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test in tests/integration and tests/e2e with its layer; run e2e tests last.

    Sync Playwright keeps an asyncio loop running on the main thread for the rest of the
    session once a browser test has started, and every later ``asyncio.run`` (unit and
    integration tests use it) then fails; so browser tests go after all the others.
    """
    layers = {}
    for item in items:
        layer = item.path.resolve().relative_to(TESTS_DIR).parts[0]
        layers[item.nodeid] = layer
        marker = _LAYER_MARKERS.get(layer)
        if marker is not None:
            item.add_marker(marker)
    items.sort(key=lambda item: layers[item.nodeid] == "e2e")  # stable: order kept otherwise


@pytest.hookimpl(optionalhook=True)  # `-p no:xdist` leaves the hook unknown
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (``-n 2`` in pyproject), hand out tests one at a time, except
    browser tests: one worker runs them all, in order, once every other test is handed out.

    Last, for the asyncio loop Playwright leaves behind (see above); together, because two
    apps and two browsers at once on CI's 2 cores slow each other's pages. xdist's own
    ``loadgroup`` would do this, but 3.8 marks the groups in ``Item._nodeid``, which pytest 9
    no longer reads.
    """
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "e2e" if nodeid.startswith("tests/e2e/") else nodeid

    return BrowserTestsTogether(config, log)


@pytest.fixture(autouse=True)
def no_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests act as the system admin without signing in (``WB_AUTH=off``, which the app allows
    because .streamlit/config.toml binds it to 127.0.0.1); a test of sign-in itself removes
    the variable (``monkeypatch.delenv("WB_AUTH")``)."""
    monkeypatch.setenv("WB_AUTH", "off")


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """Return a function giving a TCP port on 127.0.0.1 that nothing listens on right now.

    Servers started by tests use these instead of fixed ports, so parallel runs never collide.
    """

    def pick() -> int:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    return pick


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The SQLAlchemy URL of the test PostgreSQL database, from TEST_DATABASE_URL.

    `./wb test` starts a throwaway cluster and sets it. Without it the test is skipped locally,
    but fails under CI, where PostgreSQL must always be tested.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    reason = (
        "TEST_DATABASE_URL is not set: run the tests with ./wb test (it starts PostgreSQL when "
        "the postgresql package is installed: apt-get install -y postgresql)"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
