"""Browser steps the end-to-end tests share."""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import FrameLocator, Locator, Page, Position, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from pages.widgets.flow import FRAME_TITLE

TIMEOUT_MS = 30_000
PAGES = (
    "Home",
    "Workflows",
    "Runs",
    "Builder",
    "Workers",
    "Health",
    "Run",
    "Accounts",
    "Audit log",
    "Secrets",
)
#: The canvas component's iframe (the builder's and the run page's).
CANVAS_FRAME = f'iframe[title="{FRAME_TITLE}"]'
#: The app between reruns: elements of the previous run are gone from the page.
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def create_from_example(page: Page, base_url: str, *, example: str, name: str) -> FrameLocator:
    """Open the app, create workflow ``name`` from ``example`` and wait for its canvas.

    Enters through the home page: Streamlit 1.67 sees a pages/ folder beside app.py and,
    until some session has run app.py (which calls st.navigation), serves the files in
    pages/ as pages of their own, so a first request straight to /workflows would list them.

    Returns:
        The canvas frame of the builder.
    """
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(base_url)
    nav = page.get_by_test_id("stSidebarNav")
    # Each link reads icon ligature, then the title.
    expect(nav.get_by_role("link")).to_have_text([re.compile(f"{p}$") for p in PAGES])
    nav.get_by_role("link", name="Workflows").click()
    page.get_by_role("button", name="New workflow").click()
    page.get_by_role("tab", name="From an example").click()
    chooser = page.get_by_role("combobox", name="Example")
    chooser.click()
    page.keyboard.type(example)
    page.keyboard.press("Enter")
    expect(chooser).to_have_value(re.compile(f"^{example}: "))
    page.get_by_label("Name", exact=True).nth(1).fill(name)
    page.get_by_role("button", name="Create from example").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=TIMEOUT_MS)
    return page.frame_locator(CANVAS_FRAME)


def open_in_builder(page: Page, name: str) -> None:
    """From the Workflows page, find workflow ``name`` with the search box and click its row.

    The search and the click each rerun the page; a click that lands while a rerun is under
    way can be lost, so the row is clicked again until the builder shows the workflow.
    """
    # Enter the page afresh: a choice made in the list an import just redrew can be dropped.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("Workflows$")).click()
    page.locator(APP_IDLE).wait_for()
    search = page.get_by_role("textbox", name="Search")
    expect(search).to_be_visible(timeout=TIMEOUT_MS)
    search.fill(name)
    search.press("Enter")
    # Names sort first among those containing them, so the searched one is the first row.
    expect(page.get_by_text(re.compile(r"^\d+ of \d+ workflow"))).to_be_visible(timeout=TIMEOUT_MS)
    table = page.get_by_test_id("stDataFrame").first
    click_until(page, table, page.get_by_role("heading", name=name), position={"x": 120, "y": 52})


def click_until(
    page: Page,
    button: Locator,
    shown: Locator,
    *,
    attempts: int = 3,
    position: Position | None = None,
) -> None:
    """Click ``button`` (at ``position`` within it, if given) until ``shown`` appears.

    A click that lands while the page reruns can be lost; one that is not finds the button
    gone next time (the page moved on), and waiting for ``shown`` goes on.
    """
    for _ in range(attempts):
        page.locator(APP_IDLE).wait_for()
        with contextlib.suppress(PlaywrightTimeoutError):
            button.click(timeout=5_000, position=position)
        try:
            expect(shown).to_be_visible(timeout=TIMEOUT_MS // 3)
            return
        except AssertionError:
            continue
    expect(shown).to_be_visible(timeout=TIMEOUT_MS)


# The first deploy of a session starts the embedded Temporal server and the workers.
DEPLOY_TIMEOUT_MS = 120_000


def deploy(page: Page, name: str, *, version: int = 1) -> None:
    """Click the builder's Deploy and wait for ``version`` of workflow ``name`` to be live."""
    # Scoped to the page body: Streamlit's own toolbar has a "Deploy" button too.
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Deploy").click()
    live = page.get_by_text(re.compile(rf"^version {version} is live as {name}\S* on \S+$"))
    expect(live).to_be_visible(timeout=DEPLOY_TIMEOUT_MS)
    # Until the deploy's script run ends, the canvas it drew lower down stands beside the one
    # it replaces.
    page.locator(APP_IDLE).wait_for()
