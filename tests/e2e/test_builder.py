"""The builder in Chromium: from an example to a valid edited workflow and its generated code."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.e2e.steps import APP_IDLE, CANVAS_FRAME, TIMEOUT_MS, create_from_example

RED = re.compile(r"220, 38, 38|#DC2626", re.IGNORECASE)


def _node(canvas, node_id: str):
    return canvas.locator(f'.react-flow__node[data-id="{node_id}"]')


def _commit_text(page: Page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Enter")


def _all_nodes_in_view(page: Page, canvas) -> None:
    """Every node's box lies inside the canvas frame (fit view shows the whole graph)."""
    frame = page.locator(CANVAS_FRAME).bounding_box()
    assert frame is not None
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        outside = []
        nodes = canvas.locator(".react-flow__node")
        for index in range(nodes.count()):
            box = nodes.nth(index).bounding_box()
            if box is None or not (
                frame["x"] <= box["x"]
                and box["x"] + box["width"] <= frame["x"] + frame["width"]
                and frame["y"] <= box["y"]
                and box["y"] + box["height"] <= frame["y"] + frame["height"]
            ):
                outside.append((nodes.nth(index).get_attribute("data-id"), box))
        if not outside:
            return
        # The view is fitted once the new nodes are measured, a moment after they appear.
        assert time.monotonic() < deadline, f"nodes outside the canvas {frame}: {outside}"
        page.wait_for_timeout(100)


def _add_from_palette(page: Page, canvas, kind: str, title: str, count: int) -> None:
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
    page.locator(f".st-key-palette_{kind}").get_by_role("button", name=title, exact=True).click()
    expect(canvas.locator(".react-flow__node")).to_have_count(count, timeout=TIMEOUT_MS)
    expect(_node(canvas, f"{kind}_1")).to_have_class(re.compile(r"\bselected\b"))


def test_build_a_workflow_from_an_example(page: Page, streamlit_app: str, screenshot):
    canvas = create_from_example(page, streamlit_app, example="hello_activity", name="greeter")
    expect(canvas.locator(".react-flow__node")).to_have_count(3, timeout=TIMEOUT_MS)
    _all_nodes_in_view(page, canvas)
    screenshot("opened")

    # Three nodes from the palette with greet selected: a chain between greet and end, each
    # new node selected in turn, no edge touched by hand.
    _node(canvas, "greet").click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible(timeout=TIMEOUT_MS)
    _add_from_palette(page, canvas, "timer", "Timer", 4)
    _add_from_palette(page, canvas, "set_variable", "Set variable", 5)
    _add_from_palette(page, canvas, "activity", "Activity", 6)
    chain = ["start", "greet", "timer_1", "set_variable_1", "activity_1", "end"]
    edges = canvas.locator(".react-flow__edge")
    expect(edges).to_have_count(len(chain) - 1, timeout=TIMEOUT_MS)
    for source, target in zip(chain, chain[1:], strict=False):
        edge = canvas.locator(f'.react-flow__edge[aria-label="Edge from {source} to {target}"]')
        expect(edge).to_have_count(1)
    expect(page.get_by_text("No problems: the workflow is valid.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    _all_nodes_in_view(page, canvas)
    screenshot("three-added")

    # Edit the timer's duration: a bad one is an error on the node, a good one clears it.
    _node(canvas, "timer_1").click()
    expect(page.get_by_role("heading", name="Timer")).to_be_visible(timeout=TIMEOUT_MS)
    _commit_text(page, "Duration", "soon")
    expect(_node(canvas, "timer_1")).to_have_attribute("style", RED, timeout=TIMEOUT_MS)
    expect(_node(canvas, "timer_1")).to_contain_text("1 problem")
    expect(page.get_by_text(re.compile("'soon' is not a duration")).first).to_be_visible()
    screenshot("invalid-duration")
    _commit_text(page, "Duration", "5s")
    expect(page.get_by_text("No problems: the workflow is valid.")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(_node(canvas, "timer_1")).not_to_have_attribute("style", RED, timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"^Saved at \d\d:\d\d:\d\d")).first).to_be_visible()
    page.get_by_role("button", name="Auto layout").click()
    expect(_node(canvas, "end")).to_have_attribute(
        "style", re.compile(r"translate\(1050px, ?0px\)"), timeout=TIMEOUT_MS
    )
    _all_nodes_in_view(page, canvas)
    screenshot("valid")

    # The node menu's "Edit Node" renames a node as the inspector's Label field does.
    _node(canvas, "timer_1").click(button="right")
    canvas.get_by_role("button", name="Edit Node").click()
    canvas.get_by_placeholder("nodeContent").fill("**Pause a moment**")
    canvas.get_by_role("button", name="Save Changes").click()
    expect(_node(canvas, "timer_1")).to_contain_text("Pause a moment", timeout=TIMEOUT_MS)
    expect(_node(canvas, "timer_1")).to_contain_text("Timer")  # redrawn with its kind
    # The rename's rerun may not have begun when the app is first seen idle; until it ends the
    # inspector of before stands beside the new one (under load, longer than expect's 5 s).
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
    expect(page.get_by_label("Label", exact=True)).to_have_value(
        "Pause a moment", timeout=TIMEOUT_MS
    )

    # The Delete key deletes the selected node and joins its neighbours, but not in a text field.
    _node(canvas, "set_variable_1").click()
    label = page.get_by_label("Label", exact=True)
    expect(label).to_have_value("Set variable", timeout=TIMEOUT_MS)
    label.press("Delete")  # the caret is at the end: nothing to delete
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
    expect(canvas.locator(".react-flow__node")).to_have_count(6)
    page.get_by_role("heading", name="greeter").click()  # out of the field, not on the canvas
    page.keyboard.press("Delete")
    expect(canvas.locator(".react-flow__node")).to_have_count(5, timeout=TIMEOUT_MS)
    joined = '.react-flow__edge[aria-label="Edge from timer_1 to activity_1"]'
    expect(canvas.locator(joined)).to_have_count(1, timeout=TIMEOUT_MS)

    # The code view shows the generated workflow with the new timer.
    page.locator(".st-key-builder_view").get_by_text("Code", exact=True).click()
    code = page.locator('[data-testid="stCode"]').first
    expect(code).to_contain_text("@workflow.defn", timeout=TIMEOUT_MS)
    expect(code).to_contain_text("workflow.sleep")
    screenshot("code")
