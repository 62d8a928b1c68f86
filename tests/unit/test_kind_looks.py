"""Each node kind's look: one per kind, distinct colours, icons the canvas can draw."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit_flow

from core.nodes.catalog import CATALOG
from pages.widgets.canvas import node_content
from pages.widgets.kind_looks import LOOKS, UNKNOWN, look

_CSS = Path(streamlit_flow.__file__).parent / "frontend" / "build" / "static" / "css"


def test_every_kind_has_its_own_colour_and_icons():
    assert set(LOOKS) == set(CATALOG)
    assert len({item.colour for item in LOOKS.values()}) == len(LOOKS)
    assert len({item.material for item in LOOKS.values()}) == len(LOOKS)
    assert len({item.bootstrap for item in LOOKS.values()}) == len(LOOKS)
    assert look("teleport") is UNKNOWN


def test_canvas_icons_are_in_the_components_own_bootstrap_icons():
    css = "".join(path.read_text() for path in _CSS.glob("*.css"))
    for item in [*LOOKS.values(), UNKNOWN]:
        assert f".bi-{item.bootstrap}:before" in css, item.bootstrap


def test_node_content_keeps_user_text_literal_and_shows_the_kind_and_problems():
    node = {"id": "n1", "type": "timer", "label": "<img src=x onerror=alert(1)> **bold**"}
    content = node_content(node, problems=2)
    first = content.split("  \n")[0]
    assert "<img" not in first and "&lt;img" in first and "\\*\\*bold" in first
    assert f'<i class="bi bi-{LOOKS["timer"].bootstrap}"></i> Timer' in content
    assert re.search(r"2 problems</span>$", content)
    assert "problem" not in node_content(node)
