"""A graph whose every free text holds HTML, Markdown and script, opened everywhere in Chromium:
no script runs, no element is made of it, and the text shows as the characters it is."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, FrameLocator, Page, expect

from tests.e2e.steps import APP_IDLE, CANVAS_FRAME, TIMEOUT_MS, deploy, open_in_builder

NAME = "xss_everywhere"
#: Each payload tries to set window.__xss (or its parent's) and to open an alert.
IMG = "<img src=x onerror=window.__xss=1;alert(1)>"
IFRAME = '<iframe srcdoc="<script>parent.__xss=2;alert(2)</script>"></iframe>'
SCRIPT = "<script>window.__xss=3;alert(3)</script>"
MARKDOWN = "**bold** [link](javascript:window.__xss=4) ![pic](/x.png) `tick` $x^2$ :red[red]"
PAYLOAD = f"{IMG} {IFRAME} {SCRIPT} {MARKDOWN}"
#: Elements the payloads would make if any of them were rendered as markup.
INJECTED = (
    'img[src="x"], img[src="/x.png"], iframe[srcdoc], a[href^="javascript:"], script:not([src])'
)


def _text(where: str) -> str:
    return f"{where}: {PAYLOAD}"


def _graph() -> dict[str, Any]:
    """start -> echo -> switch on a payload case -> set variable -> wait for a signal -> end.

    Identifiers (names, variables) must stay identifiers for the graph to validate; every free
    text (labels, descriptions, defaults, a switch case, values) holds the payloads.
    """

    def node(node_id: str, kind: str, column: int, **params: Any) -> dict[str, Any]:
        # Far apart: the long payload words make wide nodes, which must not overlap.
        label, x = _text(f"label of {node_id}"), column * 600
        return {
            "id": node_id,
            "type": kind,
            "label": label,
            "params": params,
            "position": {"x": x, "y": 0},
        }

    who = {
        "name": "who",
        "type": "string",
        "required": False,
        "default": _text("default of who"),
        "description": _text("description of who"),
    }
    note = {
        "name": "note",
        "type": "string",
        "required": False,
        "default": _text("default of note"),
        "description": _text("description of note"),
    }
    return {
        "format": "workflow-builder/1",
        "workflow": {
            "name": NAME,
            "description": _text("workflow description"),
            "signals": [
                {"name": "approve", "description": _text("signal description"), "fields": [note]}
            ],
            "queries": [
                {"name": "status", "expression": "msg", "description": _text("query description")}
            ],
        },
        "nodes": [
            node("start", "start", 0, input_fields=[who]),
            node(
                "shout",
                "activity",
                1,
                activity="echo",
                args={"value": {"expr": "input.who"}},
                result_variable="echoed",
            ),
            node("pick", "switch", 2, expression="input.who", cases=["plain", _text("case")]),
            node("remember", "set_variable", 3, name="msg", expression=json.dumps(IMG)),
            node("wait", "wait_signal", 4, signal="approve", variable="approval"),
            node("end", "end", 5, result="msg"),
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "shout"},
            {"id": "e2", "source": "shout", "target": "pick"},
            {"id": "e3", "source": "pick", "target": "remember", "handle": "plain"},
            {"id": "e4", "source": "pick", "target": "remember", "handle": _text("case")},
            {"id": "e5", "source": "pick", "target": "remember", "handle": "default"},
            {"id": "e6", "source": "remember", "target": "wait"},
            {"id": "e7", "source": "wait", "target": "end"},
        ],
    }


class Watch:
    """Every dialog the page opens, and checks of the page and all its frames."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def clean(self, where: str) -> None:
        """No dialog, no ``__xss`` marker and no injected element, in any frame."""
        self.page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
        assert self.dialogs == [], f"{where}: a payload opened dialogs {self.dialogs}"
        for frame in self.page.frames:
            found = _injected(frame)
            assert found == {"marker": None, "elements": []}, f"{where}, {frame.url}: {found}"

    def shows_literally(self, where: str, frame: FrameLocator | None = None) -> None:
        """The payload's characters are in the visible text (not turned into markup)."""
        text = (frame or self.page).locator("body").inner_text()
        for part in (IMG, SCRIPT, "**bold** [link](javascript:window.__xss=4)"):
            assert part in text, f"{where}: {part!r} is not shown as text"


def _injected(frame: Frame) -> dict[str, Any]:
    return frame.evaluate(
        """(selector) => ({
            marker: window.__xss === undefined ? null : window.__xss,
            elements: [...document.querySelectorAll(selector)]
                .filter(e => e.tagName !== "SCRIPT" || e.textContent.includes("__xss"))
                .map(e => e.outerHTML.slice(0, 120)),
        })""",
        INJECTED,
    )


def _nav(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(f"{name}$")).click()
    page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)


def test_payloads_everywhere_show_as_text_and_never_run(
    page: Page, streamlit_app: str, screenshot, tmp_path: Path
):
    watch = Watch(page)
    graph_file = tmp_path / f"{NAME}.json"
    graph_file.write_text(json.dumps(_graph()))
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(streamlit_app)

    # Workflows: import, give it a payload title, find it in the list.
    _nav(page, "Workflows")
    page.get_by_role("button", name="New workflow").click()
    page.get_by_role("tab", name="Import a file").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(graph_file)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(f"Imported {NAME}.")).to_be_visible(timeout=TIMEOUT_MS)
    page.keyboard.press("Escape")  # close the New workflow popover
    page.get_by_text("Export, rename, duplicate or delete").click()
    chooser = page.get_by_role("combobox", name="Workflow")
    chooser.click()
    page.keyboard.type(NAME)
    page.keyboard.press("Enter")
    expect(chooser).to_have_value(NAME)
    page.locator(APP_IDLE).wait_for()
    page.get_by_role("tab", name="Rename").click()
    page.get_by_label("Title", exact=True).last.fill(_text("title"))
    page.get_by_role("button", name="Rename").click()
    watch.clean("workflows page")

    # Builder: canvas (node labels, a payload edge label), inspector, settings, problems.
    open_in_builder(page, NAME)
    canvas = page.frame_locator(CANVAS_FRAME)
    expect(canvas.locator(".react-flow__node")).to_have_count(6, timeout=TIMEOUT_MS)
    expect(canvas.locator(".react-flow__node").first).to_contain_text(IMG)
    expect(canvas.locator(".react-flow__edge-text").filter(has_text=IMG)).to_have_count(1)
    watch.clean("builder canvas")
    canvas.locator('.react-flow__node[data-id="remember"]').click()
    expect(page.get_by_role("heading", name="Set variable")).to_be_visible(timeout=TIMEOUT_MS)
    watch.clean("builder canvas and inspector")
    watch.shows_literally("canvas", canvas)
    page.get_by_role("tab", name="Workflow settings").click()
    page.get_by_text("Payload of approve").click()
    watch.clean("workflow settings")

    # Code, deploy, and the run tab with its forms, signals and queries.
    view = page.locator(".st-key-builder_view")
    view.get_by_text("Code", exact=True).click()
    expect(page.get_by_text("workflow.py", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    watch.clean("code view")
    deploy(page, NAME)
    watch.clean("deploy")
    view.get_by_text("Run", exact=True).click()
    page.get_by_role("button", name="Start run").click()
    running = page.locator("span.stMarkdownBadge").filter(has_text=re.compile("^running$"))
    expect(running).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(_text("signal description"))).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Ask status").click()
    expect(page.locator('[data-testid="stCode"]').filter(has_text="__xss=1")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    watch.clean("run tab")
    watch.shows_literally("run tab")
    screenshot("run-tab")

    # Runs page, then the run's own page: graph, details, timeline, signals and queries.
    _nav(page, "Runs")
    page.get_by_role("textbox", name="Search").fill(NAME)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"running 1"))).to_be_visible(timeout=TIMEOUT_MS)
    watch.clean("runs page")
    page.get_by_role("link", name=re.compile(f"^Open run {NAME}-")).click()
    expect(page.get_by_text("Signals and queries")).to_be_visible(timeout=TIMEOUT_MS)
    run_canvas = page.frame_locator(CANVAS_FRAME)
    expect(run_canvas.locator(".react-flow__node")).to_have_count(6, timeout=TIMEOUT_MS)
    run_canvas.locator('.react-flow__node[data-id="shout"]').click()
    expect(page.get_by_text(_text("label of shout")).first).to_be_visible(timeout=TIMEOUT_MS)
    watch.clean("run page")
    watch.shows_literally("run page")
    screenshot("run-page")
