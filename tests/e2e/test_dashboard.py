"""The console in Chromium with demo data: an empty app loads it, every chart is drawn with data,
and every page holds its layout from laptop to full-HD sizes."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from playwright.sync_api import Page, expect

from core.examples import list_examples
from tests.e2e.conftest import APP_DATA_DIRS
from tests.e2e.layout import SCREEN_SIZES, layout_findings
from tests.e2e.steps import APP_IDLE, CANVAS_FRAME, PAGES, TIMEOUT_MS

# Starting Temporal, fifteen deploys and five rounds of runs spread over 30 s.
DEMO_TIMEOUT_MS = 180_000
CHARTS = 7
#: A trace of the chart has points: plotly's own count of them once drawn (``data`` holds
#: numbers as typed arrays, which have no plain length to ask).
HAS_DATA = "gd => (gd._fullData || []).some(t => t.visible !== false && t._length > 0)"
#: Wider than its box: something cut off or scrolled sideways.
OVERFLOWING = """() => [...document.querySelectorAll(
  '[data-testid="stMainBlockContainer"] [data-testid="stPlotlyChart"], '
  + '[data-testid="stMainBlockContainer"] [data-testid="stMetric"]')]
  .filter(el => el.scrollWidth > el.clientWidth + 1).length"""


def _wait_idle(page: Page) -> None:
    page.locator(APP_IDLE).wait_for(timeout=DEMO_TIMEOUT_MS)


def _load_demo_data(page: Page, *, leave: bool = False) -> None:
    """Load the demo data; ``leave``: go to another page while it loads, and come back."""
    page.get_by_role("button", name="Load demo data").click()
    if leave:
        expect(page.get_by_text("Loading demo data")).to_be_visible(timeout=TIMEOUT_MS)
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=re.compile("Workflows$")).click()
        expect(page.get_by_role("heading", name="Workflows")).to_be_visible(timeout=TIMEOUT_MS)
        nav.get_by_role("link", name=re.compile("Home$")).click()
    expect(page.get_by_text(re.compile(r"15 demo workflows deployed"))).to_be_visible(
        timeout=DEMO_TIMEOUT_MS
    )
    _wait_idle(page)


def test_demo_data_fills_every_chart(
    page: Page,
    fresh_streamlit_app: str,
    screenshot: Callable[[str], Path],
    readme_screenshot: Callable[[Path, str], Path | None],
) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(fresh_streamlit_app)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Runs appear here once a workflow runs.").first).to_be_visible()
    examples = page.get_by_test_id("stExpander").filter(has_text="Examples")
    expect(examples.get_by_role("button", name="Try it")).to_have_count(len(list_examples()))

    # The load goes on in the background while the person looks at another page.
    _load_demo_data(page, leave=True)
    page.get_by_role("combobox", name="Time range").click()
    page.get_by_role("option", name="Last hour").click()
    _wait_idle(page)

    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(CHARTS, timeout=TIMEOUT_MS)
    plots = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')
    expect(plots).to_have_count(CHARTS, timeout=TIMEOUT_MS)
    # Read every chart in one go: the figures refresh themselves every few seconds, and a
    # chart read one by one could be caught mid-redraw.
    # A refresh that starts between the wait and the read shows a chart twice for a moment
    # (the new one beside the old): read again until the page holds each chart once.
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        _wait_idle(page)
        drawn = plots.evaluate_all(
            f"els => els.map(gd => [gd.querySelector('.gtitle')?.textContent, ({HAS_DATA})(gd)])"
        )
        if len(drawn) == CHARTS or time.monotonic() > deadline:
            break
    assert [title for title, has_data in drawn if not has_data] == []
    titles = [title for title, _ in drawn]
    assert titles == [
        "Runs started, by status",
        "Run duration per workflow (p50 solid, p95 dashed)",
        "Failure rate per workflow",
        "Top failing steps",
        "Activity retries per step",
        "Task queue backlog and schedule-to-start latency",
        "Workers over time",
    ]
    tiles = page.get_by_test_id("stMetric")
    expect(tiles.filter(has_text="Runs").first).not_to_contain_text("–")

    # The README shows the first screen from the controls down: tiles, then the charts.
    controls = page.get_by_test_id("stSelectbox").first
    controls.evaluate("el => el.scrollIntoView({block: 'start'})")
    shot = screenshot("dashboard")
    page.screenshot(path=str(shot))  # the first screen, as the README shows it
    readme_screenshot(shot, "dashboard.png")

    for width, height in ((1280, 800), (1920, 1080), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        _wait_idle(page)
        assert page.evaluate(OVERFLOWING) == 0, f"something is cut off at {width}x{height}"


#: The README's pictures of pages, taken at 1440x900 with the demo data.
README_SHOTS = {
    "Workflows": "workflows.png",
    "Runs": "runs.png",
    "Builder": "builder.png",
    "Run": "run.png",
    "Workers": "workers.png",
}
README_SIZE = (1440, 900)
#: The builder's other views, checked after the pages.
BUILDER_VIEWS = ("Code", "Versions", "Run")


def test_every_page_holds_at_three_sizes(
    page: Page,
    fresh_streamlit_app: str,
    screenshot: Callable[[str], Path],
    readme_screenshot: Callable[[Path, str], Path | None],
) -> None:
    """Every page, with data on it, at 1280x800, 1440x900 and 1920x1080: no label cut or split
    mid-word, no controls on top of each other. Screenshots of each stay in test-artifacts/;
    the README's are the first screen of some at 1440x900."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(fresh_streamlit_app)
    # Run on its own, the test loads the demo data; after the chart test, it is there.
    load = page.get_by_role("button", name="Load demo data")
    loaded = page.get_by_test_id("stExpander").filter(has_text="Demo data")
    expect(load.or_(loaded)).to_be_visible(timeout=TIMEOUT_MS)
    if load.is_visible():
        _load_demo_data(page)
    nav = page.get_by_test_id("stSidebarNav")
    findings: dict[str, list[str]] = {}
    for title in (*PAGES, *(f"Builder {view}" for view in BUILDER_VIEWS)):
        view = title.removeprefix("Builder ") if title.startswith("Builder ") else None
        nav.get_by_role("link", name=re.compile(f"{'Builder' if view else title}$")).click()
        _wait_idle(page)
        if title.startswith("Builder"):
            _open_in_builder(page, fresh_streamlit_app)
        if view:
            page.locator(".st-key-builder_view").get_by_text(view, exact=True).click()
            _wait_idle(page)
        elif title == "Run":
            _open_a_run(page, fresh_streamlit_app)
        for width, height in SCREEN_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            if title == "Builder":  # the canvas fits the graph to its size when it opens
                _open_in_builder(page, fresh_streamlit_app)
            _wait_idle(page)
            shot = screenshot(f"{title}-{width}x{height}")
            if (width, height) == README_SIZE and title in README_SHOTS:
                page.screenshot(path=str(shot))  # the first screen, as a reader sees it
                readme_screenshot(shot, README_SHOTS[title])
            if found := layout_findings(page):
                findings[f"{title} at {width}x{height}"] = found
    assert findings == {}


def _open_in_builder(page: Page, base_url: str) -> None:
    """The builder with the demo payments workflow open (its canvas drawn)."""
    (workflow,) = _query(base_url, "SELECT id FROM workflows WHERE name = 'demo_payments'")
    page.goto(f"{base_url}/builder?workflow={workflow}")
    canvas = page.frame_locator(CANVAS_FRAME)
    expect(canvas.locator(".react-flow__node").first).to_be_visible(timeout=TIMEOUT_MS)
    _wait_idle(page)


def _open_a_run(page: Page, base_url: str) -> None:
    """The run page of a failed demo run (it shows the most: graph, timeline, error)."""
    workflow_id, run_id = _query(
        base_url,
        "SELECT workflow_id, run_id FROM workflow_executions WHERE status = 'failed' LIMIT 1",
    )
    page.goto(f"{base_url}/run?workflow_id={workflow_id}&run_id={run_id}")
    expect(page.get_by_text("The run failed at step")).to_be_visible(timeout=TIMEOUT_MS)
    _wait_idle(page)


def _query(base_url: str, sql: str) -> tuple[object, ...]:
    """The first row ``sql`` reads from the app's own SQLite database."""
    database = APP_DATA_DIRS[base_url] / "workflow_builder.db"
    with closing(sqlite3.connect(database)) as connection:
        row: tuple[object, ...] = connection.execute(sql).fetchone()
    return row
