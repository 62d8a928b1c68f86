"""The run page in Chromium: a run failed at a step, drawn on its graph, rerun to completion."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.steps import (
    APP_IDLE,
    CANVAS_FRAME,
    TIMEOUT_MS,
    click_until,
    deploy,
    open_in_builder,
)

NAME = "charge_on_demand"


def _graph() -> dict:
    """start -> "Charge?" (input.fail) -> true: "Charge card" (always fails) -> end."""

    def node(node_id: str, kind: str, label: str, x: int, y: int, **params) -> dict:
        return {
            "id": node_id,
            "type": kind,
            "label": label,
            "params": params,
            "position": {"x": x, "y": y},
        }

    fail = {"name": "fail", "type": "boolean", "required": False, "default": False}
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": NAME, "description": "Fails at Charge card when asked to"},
        "nodes": [
            node("start", "start", "Start", 0, 0, input_fields=[fail]),
            node("ask", "condition", "Charge?", 220, 0, expression="input.fail"),
            node(
                "charge",
                "activity",
                "Charge card",
                440,
                -80,
                activity="fail",
                args={"message": "card declined", "error_type": "Declined"},
                retry={"max_attempts": 1},
            ),
            node("end", "end", "End", 660, 0),
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "ask"},
            {"id": "e2", "source": "ask", "target": "charge", "handle": "true"},
            {"id": "e3", "source": "ask", "target": "end", "handle": "false"},
            {"id": "e4", "source": "charge", "target": "end"},
        ],
    }


def _nav(page: Page, name: str) -> None:
    # A link reads its icon's ligature, then its title.
    link = re.compile(f"{name}$")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()


def test_a_failed_run_on_its_graph_then_rerun_with_edited_input(
    page: Page, streamlit_app: str, screenshot, tmp_path: Path
):
    graph_file = tmp_path / f"{NAME}.json"
    graph_file.write_text(json.dumps(_graph()))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(streamlit_app)
    _nav(page, "Workflows")
    page.get_by_role("button", name="New workflow").click()
    page.get_by_role("tab", name="Import a file").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(graph_file)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(f"Imported {NAME}.")).to_be_visible(timeout=TIMEOUT_MS)
    open_in_builder(page, NAME)

    deploy(page, NAME)
    page.locator(".st-key-builder_view").get_by_text("Run", exact=True).click()
    page.get_by_text("fail", exact=True).click()
    run_id_text = page.locator("code").filter(has_text=re.compile(rf"^{NAME}-\w+$")).first
    click_until(page, page.get_by_role("button", name="Start run"), run_id_text)
    failed = page.locator("span.stMarkdownBadge").filter(has_text=re.compile("^failed$"))
    expect(failed).to_be_visible(timeout=TIMEOUT_MS)
    workflow_id = run_id_text.inner_text()

    # Found on the Runs page by its workflow id, failed at its step, and opened from there.
    _nav(page, "Runs")
    page.get_by_role("textbox", name="Search").fill(workflow_id)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"failed 1"))).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("link", name=f"Open run {workflow_id}").click()
    expect(page.get_by_text("The run failed at step Charge card (charge)")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    canvas = page.frame_locator(CANVAS_FRAME)
    charge = canvas.locator('.react-flow__node[data-id="charge"]')
    expect(charge).to_contain_text("failed", timeout=TIMEOUT_MS)
    expect(canvas.locator('.react-flow__node[data-id="end"]')).to_contain_text("not reached")
    canvas.locator('.react-flow__node[data-id="ask"]').click()
    expect(page.get_by_text("Charge? · ask · condition")).to_be_visible(timeout=TIMEOUT_MS)
    charge.click()
    expect(page.get_by_text("Charge card · charge · activity")).to_be_visible(timeout=TIMEOUT_MS)
    expect(
        page.locator('[data-testid="stCode"]').filter(has_text="card declined").first
    ).to_be_visible()
    screenshot("failed-run")

    page.get_by_role("tab", name="Rerun").click()
    page.get_by_label("Input (JSON)").fill('{"fail": false}')
    page.get_by_role("button", name="Rerun with this input").click()
    expect(
        page.get_by_text(re.compile(rf"^Started {NAME}-\w+ \({NAME}_v1\) with the edited input"))
    ).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("link", name=re.compile("^Open the new run")).click()
    completed = page.locator("span.stMarkdownBadge").filter(has_text=re.compile("^completed$"))
    expect(completed).to_be_visible(timeout=TIMEOUT_MS)
    # The old run's canvas lingers while the new page draws: wait until only the new one is left.
    page.locator(APP_IDLE).wait_for()
    expect(page.locator(CANVAS_FRAME)).to_have_count(1, timeout=TIMEOUT_MS)
    expect(canvas.locator('.react-flow__node[data-id="charge"]')).to_contain_text("not reached")
    expect(canvas.locator('.react-flow__node[data-id="end"]')).to_contain_text("completed")
    screenshot("rerun-completed")
