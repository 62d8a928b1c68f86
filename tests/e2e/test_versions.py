"""The rollback control in Chromium: after a confirmed rollback the select shows what the button
says, and the next choice and click work (the browser's copy of the select once drifted)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.steps import APP_IDLE, DEPLOY_TIMEOUT_MS, TIMEOUT_MS, create_from_example, deploy

NAME = "rolled_back"


def _choose(page: Page, version: int) -> None:
    select = page.get_by_role("combobox", name="Version to roll back to")
    select.click()
    page.get_by_role("option", name=str(version), exact=True).click()
    page.locator(APP_IDLE).wait_for()


def test_the_rollback_control_agrees_with_itself_after_a_rollback(
    page: Page, streamlit_app: str, screenshot
):
    canvas = create_from_example(page, streamlit_app, example="hello_activity", name=NAME)
    deploy(page, NAME)
    canvas.locator('.react-flow__node[data-id="greet"]').click()
    label = page.get_by_label("Label", exact=True)
    label.fill("Greet loudly")
    label.press("Enter")
    expect(page.get_by_text(re.compile(r"Saved at \d\d:\d\d:\d\d")).first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    deploy(page, NAME, version=2)

    page.locator(".st-key-builder_view").get_by_text("Versions", exact=True).click()
    page.get_by_role("tab", name="Roll back").click()
    select = page.get_by_role("combobox", name="Version to roll back to")
    expect(select).to_have_value("1", timeout=TIMEOUT_MS)  # the one before the live version
    page.get_by_role("button", name="Roll back to version 1").click()
    page.get_by_role("button", name="Confirm rollback to version 1").click()
    live = page.get_by_text(re.compile(rf"^version 3 is live as {NAME}\S* on \S+$"))
    expect(live).to_be_visible(timeout=DEPLOY_TIMEOUT_MS)
    page.locator(APP_IDLE).wait_for()

    # The select and its button say the same version (the old one showed 3 beside another's
    # button: the browser kept the select's value while the server drew it afresh).
    expect(select).to_have_value("2", timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Roll back to version 2")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Roll back to version"))).to_have_count(1)
    screenshot("after-rollback")
    # The next choice changes the button, and its click asks for confirmation.
    _choose(page, 1)
    page.get_by_role("button", name="Roll back to version 1").click()
    expect(page.get_by_text("Roll back to version 1? New runs will use its graph")).to_be_visible(
        timeout=TIMEOUT_MS
    )
