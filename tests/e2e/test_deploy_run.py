"""Deploy and run in Chromium: an example, one edited param, deploy, the run form, the result;
then a new user's shortest path from the home page to a run's result."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.e2e.steps import DEPLOY_TIMEOUT_MS, TIMEOUT_MS, create_from_example


def test_deploy_then_run_with_the_form(page: Page, streamlit_app: str, screenshot):
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

    # A click on the canvas while the deploy runs reruns the page; the deploy goes on to its
    # end (it used to stop half-way, cut short by that rerun).
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Deploy").click()
    expect(page.get_by_text(re.compile("deploying the draft"))).to_be_visible(timeout=TIMEOUT_MS)
    canvas.locator('.react-flow__node[data-id="start"]').click()
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
    screenshot("run-result")

    # The Workers page shows the worker that ran it, polling the workflow's queue.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Workers").click()
    expect(page.get_by_role("heading", name="Workers")).to_be_visible(timeout=TIMEOUT_MS)
    queue_line = page.get_by_text(re.compile(r"-hello_run · a queue per workflow"))
    expect(queue_line).to_be_visible(timeout=TIMEOUT_MS)
    pollers = page.get_by_text(re.compile(r"^Temporal sees \d+ poller\(s\): .*-hello_run-"))
    expect(pollers).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("1")
    screenshot("workers")


def test_a_new_user_runs_an_example_in_five_clicks_at_most(
    page: Page, streamlit_app: str, screenshot
):
    """Home, an example's "Try it", Deploy, the Run view, Start run: its result shows, with
    nothing typed. (On an app with runs, the gallery is folded: one more click.)"""
    clicks = []

    def click(target: Locator) -> None:
        target.click()
        clicks.append(target)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(streamlit_app)
    try_it = page.locator(".st-key-try_example_parallel_fanout").get_by_role("button")
    gallery = page.get_by_test_id("stExpander").filter(has_text="Examples")
    expect(gallery).to_be_visible(timeout=TIMEOUT_MS)
    if not try_it.is_visible():
        click(gallery.get_by_text("Examples"))
    click(try_it)
    name = re.compile(r"^parallel_fanout(_\d+)?$")
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=TIMEOUT_MS)
    click(page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Deploy"))
    live = page.get_by_text(re.compile(r"^version 1 is live as parallel_fanout\S* on \S+$"))
    expect(live).to_be_visible(timeout=DEPLOY_TIMEOUT_MS)
    click(page.locator(".st-key-builder_view").get_by_text("Run", exact=True))
    click(page.get_by_role("button", name="Start run"))
    badge = page.locator("span.stMarkdownBadge").filter(has_text=re.compile("^completed$"))
    expect(badge).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator('[data-testid="stCode"]').first).to_contain_text("TEMPORAL")
    assert len(clicks) <= 5
    screenshot("new-user-result")
