"""Browser test plumbing: Debian's Chromium for Playwright and a live `streamlit run app.py`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.steps import APP_IDLE

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = ROOT / "test-artifacts"
DOCS_SCREENSHOTS_DIR = ROOT / "docs" / "screenshots"
SCREENSHOT_WAIT_MS = 30_000
#: Set to 1 to refresh the README's screenshots in docs/screenshots/ from this run.
UPDATE_SCREENSHOTS_VAR = "WB_UPDATE_SCREENSHOTS"
# `playwright install` downloads its own browser, which this project's machines cannot fetch.
CHROMIUM = Path(os.environ.get("WB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
LOG_TAIL_LINES = 80
# The developer's own settings (core/config.py) must not leak in: the app under test uses its
# embedded defaults in a temp data dir, with the dev server on free ports (see streamlit_app).
_APP_SETTINGS = re.compile(r"^(DATABASE_URL|DEPLOY_DIR|TEMPORAL_.*|WB_.*)$")
#: The log of each app fixture, by fixture name.
_LOG_PATHS = pytest.StashKey[dict[str, Path]]()
#: The data folder (WB_DATA_DIR, holding its SQLite database) of each running app, by base URL.
APP_DATA_DIRS: dict[str, Path] = {}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (pytest-playwright override) with flags that work as root."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: browser tests need it. Install it with "
            "`apt-get install -y chromium` (./wb test does this when run as root), "
            "or set WB_CHROMIUM to a Chromium binary."
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def streamlit_app(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    free_port: Callable[[], int],
) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port with a fresh WB_DATA_DIR; yield its base URL.

    The app gets none of the caller's DATABASE_URL, DEPLOY_DIR, TEMPORAL_* or WB_* variables, so
    it runs on its embedded defaults (SQLite, a Temporal dev server on free ports).

    The server's output goes to a log file (a pipe nobody reads would fill up and hang it);
    the tail of that log is attached to the report of every failed test that used the app.
    """
    with _streamlit(request, tmp_path_factory, free_port()) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def fresh_streamlit_app(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    free_port: Callable[[], int],
) -> Iterator[str]:
    """Like ``streamlit_app``, but an app of the test module's own: what other modules ran
    in the shared app does not show in it (an empty dashboard, for one)."""
    with _streamlit(request, tmp_path_factory, free_port()) as base_url:
        yield base_url


@contextmanager
def _streamlit(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    port: int,
    settings: dict[str, str] | None = None,
) -> Iterator[str]:
    app = ROOT / "app.py"
    if not app.is_file():
        pytest.fail(f"{app} not found: browser tests run the app's entry point")
    data_dir = tmp_path_factory.mktemp("wb-data")
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    request.config.stash.setdefault(_LOG_PATHS, {})[request.fixturename] = log_path
    env = {key: value for key, value in os.environ.items() if not _APP_SETTINGS.match(key)}
    env.update(WB_DATA_DIR=str(data_dir), TEMPORAL_DEV_PORT="0", TEMPORAL_DEV_UI_PORT="0")
    # No sign-in unless a test is about it (allowed: the app is bound to 127.0.0.1 below).
    env.update(settings if settings is not None else {"WB_AUTH": "off"})
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]
    with log_path.open("wb") as log:
        # Own process group: stopping it also stops servers the app started (embedded Temporal).
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base_url, log_path)
        APP_DATA_DIRS[base_url] = data_dir
        yield base_url
    finally:
        APP_DATA_DIRS.pop(base_url, None)
        _stop_process_group(process)


@pytest.fixture
def screenshot(page: Any, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Return a function that saves a full-page screenshot in test-artifacts/, returning its path.

    Files are named after the test and a label: `test_save_chromium-after-save.png`.
    """

    def save(label: str) -> Path:
        test_name, label_name = (
            re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") for text in (request.node.name, label)
        )
        path = ARTIFACTS_DIR / f"{test_name}-{label_name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Mid-rerun, elements of the previous run are still on the page; wait for the run to end.
        page.locator(APP_IDLE).wait_for(timeout=SCREENSHOT_WAIT_MS)
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def readme_screenshot() -> Callable[[Path, str], Path | None]:
    """Return a function that copies a screenshot to docs/screenshots/<name>, if asked to.

    Only when WB_UPDATE_SCREENSHOTS=1, so ordinary runs leave the committed images alone.
    Returns the copy's path, or None when nothing was copied.
    """

    def publish(shot: Path, name: str) -> Path | None:
        if os.environ.get(UPDATE_SCREENSHOTS_VAR) != "1":
            return None
        target = DOCS_SCREENSHOTS_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
        return target

    return publish


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Attach the streamlit log tail to the report of a failed test that used the app."""
    report = yield
    if report.failed:
        for name, log_path in item.config.stash.get(_LOG_PATHS, {}).items():
            if name in item.fixturenames:
                report.sections.append((f"streamlit log tail ({log_path})", _log_tail(log_path)))
    return report


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    health_url = f"{base_url}/_stcore/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"streamlit exited with code {process.returncode} before becoming healthy; "
                f"log {log_path}:\n{_log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(health_url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"streamlit did not answer {health_url} within {STARTUP_TIMEOUT_S:.0f} s; "
        f"log {log_path}:\n{_log_tail(log_path)}"
    )


def _stop_process_group(process: subprocess.Popen[bytes]) -> None:
    # Signal the group even if streamlit itself already exited: its children may still run.
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log file)"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(log is empty)"
