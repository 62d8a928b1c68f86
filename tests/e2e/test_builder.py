"""The builder in Chromium: from an example to a valid edited workflow and its generated code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.steps import APP_IDLE, TIMEOUT_MS, create_from_example

RED = re.compile(r"220, 38, 38|#DC2626", re.IGNORECASE)


def _node(canvas, node_id: str):
    return canvas.locator(f'.react-flow__node[data-id="{node_id}"]')


def _connect(page: Page, canvas, source: str, target: str) -> None:
    canvas.locator(f'.react-flow__node[data-id="{source}"] .react-flow__handle.source').drag_to(
        canvas.locator(f'.react-flow__node[data-id="{target}"] .react-flow__handle.target')
    )


def _click_edge(page: Page, canvas, edge_id: str) -> None:
    # A horizontal edge has a zero-height box, which Playwright's click calls invisible.
    box = canvas.locator(
        f'[data-testid="rf__edge-{edge_id}"] .react-flow__edge-path'
    ).bounding_box()
    assert box is not None, f"edge {edge_id} is not drawn"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _commit_text(page: Page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")


def test_build_a_workflow_from_an_example(
    page: Page, streamlit_app: str, screenshot, readme_screenshot
):
    canvas = create_from_example(page, streamlit_app, example="hello_activity", name="greeter")
    expect(canvas.locator(".react-flow__node")).to_have_count(3, timeout=TIMEOUT_MS)
    screenshot("opened")

    # Take out greet -> end, then put a timer from the palette between them.
    _click_edge(page, canvas, "e2")
    expect(page.get_by_text("Leaves from output")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Delete edge").click()
    expect(canvas.locator(".react-flow__edge")).to_have_count(1, timeout=TIMEOUT_MS)
    _node(canvas, "greet").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible(timeout=TIMEOUT_MS)
    page.locator(".st-key-palette_timer").get_by_role("button", name="Timer", exact=True).click()
    expect(canvas.locator(".react-flow__node")).to_have_count(4, timeout=TIMEOUT_MS)
    # Not connected yet, so the new node is outlined as invalid.
    expect(_node(canvas, "timer_1")).to_have_attribute("style", RED, timeout=TIMEOUT_MS)
    _connect(page, canvas, "greet", "timer_1")
    expect(page.get_by_text("Leaves from output")).to_be_visible(timeout=TIMEOUT_MS)
    _connect(page, canvas, "timer_1", "end")
    expect(canvas.locator(".react-flow__edge")).to_have_count(3, timeout=TIMEOUT_MS)
    expect(page.get_by_text("No problems: the workflow is valid.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(_node(canvas, "timer_1")).not_to_have_attribute("style", RED, timeout=TIMEOUT_MS)

    # Edit the timer's duration: a bad one is an error on the node, a good one clears it.
    _node(canvas, "timer_1").click()
    expect(page.get_by_role("heading", name="Timer")).to_be_visible(timeout=TIMEOUT_MS)
    _commit_text(page, "Duration", "soon")
    expect(_node(canvas, "timer_1")).to_have_attribute("style", RED, timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("'soon' is not a duration")).first).to_be_visible()
    screenshot("invalid-duration")
    _commit_text(page, "Duration", "5s")
    expect(page.get_by_text("No problems: the workflow is valid.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(_node(canvas, "timer_1")).not_to_have_attribute("style", RED, timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"^Saved at \d\d:\d\d:\d\d"))).to_be_visible()
    page.get_by_role("button", name="Auto layout").click()
    expect(_node(canvas, "end")).to_have_attribute(
        "style", re.compile(r"translate\(780px, ?0px\)"), timeout=TIMEOUT_MS
    )
    canvas.locator(".react-flow__controls-fitview").click()
    readme_screenshot(screenshot("valid"), "builder.png")

    # The node menu's "Edit Node" renames a node as the inspector's Label field does.
    _node(canvas, "timer_1").click(button="right")
    canvas.get_by_role("button", name="Edit Node").click()
    canvas.get_by_placeholder("nodeContent").fill("**Pause a moment**")
    canvas.get_by_role("button", name="Save Changes").click()
    expect(_node(canvas, "timer_1")).to_contain_text("Pause a moment", timeout=TIMEOUT_MS)
    expect(_node(canvas, "timer_1")).to_contain_text("Timer")  # redrawn with its kind
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)  # the inspector of before is gone
    expect(page.get_by_label("Label", exact=True)).to_have_value("Pause a moment")

    # The code view shows the generated workflow with the new timer.
    page.locator(".st-key-builder_view").get_by_text("Code", exact=True).click()
    code = page.locator('[data-testid="stCode"]').first
    expect(code).to_contain_text("@workflow.defn", timeout=TIMEOUT_MS)
    expect(code).to_contain_text("workflow.sleep")
    screenshot("code")
