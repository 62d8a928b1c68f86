"""Deploy and run in Chromium: an example, one edited param, deploy, the run form, the result."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.steps import TIMEOUT_MS, create_from_example

# The first deploy starts the embedded Temporal server and the workers.
DEPLOY_TIMEOUT_MS = 120_000


def test_deploy_then_run_with_the_form(
    page: Page, streamlit_app: str, screenshot, readme_screenshot
):
    canvas = create_from_example(page, streamlit_app, example="hello_activity", name="hello_run")
    expect(canvas.locator(".react-flow__node")).to_have_count(3, timeout=TIMEOUT_MS)
    canvas.locator('.react-flow__node[data-id="greet"]').click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible(timeout=TIMEOUT_MS)
    value = page.get_by_label("value *", exact=True)
    value.fill("'Hi, ' + input.name + '!'")
    value.press("Enter")
    expect(page.get_by_text(re.compile(r"^Saved at \d\d:\d\d:\d\d"))).to_be_visible(
        timeout=TIMEOUT_MS
    )

    # Scoped to the page body: Streamlit's own toolbar has a "Deploy" button too.
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Deploy").click()
    live = page.get_by_text(re.compile(r"^version 1 is live as hello_run\S* on \S+$"))
    expect(live).to_be_visible(timeout=DEPLOY_TIMEOUT_MS)
    screenshot("deployed")

    page.locator(".st-key-builder_view").get_by_text("Run", exact=True).click()
    page.get_by_label("name *", exact=True).fill("Ann")
    page.get_by_role("button", name="Start run").click()
    # The result panel polls until the run closes, then shows its result.
    badge = page.locator("span.stMarkdownBadge").filter(has_text=re.compile("^completed$"))
    expect(badge).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stCode"]').first).to_contain_text('"Hi, Ann!"')
    link = page.get_by_role("link", name="Open the run in Temporal Web UI")
    expect(link).to_have_attribute("href", re.compile(r"/workflows/hello_run-\w+/[\w-]+/history$"))
    expect(page.get_by_text("Recent runs")).to_be_visible()
    readme_screenshot(screenshot("run-result"), "run.png")

    # The Workers page shows the worker that ran it, polling the workflow's queue.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Workers").click()
    expect(page.get_by_role("heading", name="Workers")).to_be_visible(timeout=TIMEOUT_MS)
    queue_line = page.get_by_text(re.compile(r"-hello_run · a queue per workflow"))
    expect(queue_line).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"^Temporal sees \d+ poller\(s\): "))).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("1")
    readme_screenshot(screenshot("workers"), "workers.png")
