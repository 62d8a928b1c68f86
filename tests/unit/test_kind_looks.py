"""Each node kind's look: one per kind, distinct colours, icons the canvas can draw."""

from __future__ import annotations

from pathlib import Path

from core.nodes.catalog import CATALOG
from pages.widgets.canvas import node_face
from pages.widgets.kind_looks import LOOKS, UNKNOWN, look

_CSS = Path(__file__).parents[2] / "pages" / "widgets" / "flow" / "build" / "index.css"


def test_every_kind_has_its_own_colour_and_icons():
    assert set(LOOKS) == set(CATALOG)
    assert len({item.colour for item in LOOKS.values()}) == len(LOOKS)
    assert len({item.material for item in LOOKS.values()}) == len(LOOKS)
    assert len({item.bootstrap for item in LOOKS.values()}) == len(LOOKS)
    assert look("teleport") is UNKNOWN


def test_canvas_icons_are_in_the_components_own_bootstrap_icons():
    css = _CSS.read_text()
    for item in [*LOOKS.values(), UNKNOWN]:
        assert f".bi-{item.bootstrap}:before" in css, item.bootstrap


def test_node_face_keeps_user_text_as_typed_and_shows_the_kind_and_problems():
    # The canvas draws every field as a text node: nothing is escaped, nothing is markup.
    node = {"id": "n1", "type": "timer", "label": "<img src=x onerror=alert(1)> **bold**"}
    face = node_face(node, problems=2)
    assert face.label == node["label"]
    assert (face.title, face.icon, face.colour) == (
        "Timer",
        LOOKS["timer"].bootstrap,
        LOOKS["timer"].colour,
    )
    assert face.problems == 2 and node_face(node).problems == 0
    assert node_face({"id": "n2", "type": "teleport"}).label == "n2"  # no label: its id
