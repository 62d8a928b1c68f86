"""The canvas component: Python sends every field its frontend reads, and reads its reports."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pages.widgets.flow import (
    FlowEdge,
    FlowNode,
    FlowState,
    NodeFace,
    canvas_args,
)

_FLOW = Path(__file__).parents[2] / "pages" / "widgets" / "flow"
_SOURCE = _FLOW / "frontend" / "src"
_FACE = NodeFace("Greet", "Activity", "#2563EB", "gear-fill", problems=1)
_STATE = FlowState(
    (FlowNode("a", (0, 0), _FACE, type="input"), FlowNode("b", (210.5, -4), _FACE)),
    (FlowEdge("e1", "a", "b", label="next"),),
    timestamp=7,
)


def _read(pattern: str, *files: str) -> set[str]:
    text = "".join((_SOURCE / name).read_text() for name in files)
    return {next(g for g in match.groups() if g) for match in re.finditer(pattern, text)}


def _args(**changes) -> dict:
    options = dict(
        height=500, fit_view=True, show_minimap=False, min_zoom=0.2, editable=True, style={}
    )
    return canvas_args(_STATE, **{**options, **changes})


def test_every_node_field_the_renderer_reads_is_sent():
    read = _read(r"data\.(\w+)", "components/PlainNode.jsx", "components/NodeContextMenu.jsx")
    sent = set(_args()["nodes"][0]["data"])
    assert read == sent == {"label", "title", "colour", "icon", "problems"}


def test_every_argument_the_component_reads_is_sent():
    read = _read(r"props\.args(?:\.(\w+)|\[\"(\w+)\"\])", "StreamlitFlowComponent.jsx")
    assert read == set(_args())


def test_nodes_and_edges_go_as_react_flow_reads_them():
    args = _args()
    first, second = args["nodes"]
    assert (first["id"], first["type"], second["type"]) == ("a", "input", "default")
    assert second["position"] == {"x": 210.5, "y": -4}
    assert (first["sourcePosition"], first["targetPosition"]) == ("right", "left")
    assert first["draggable"] and first["connectable"] and first["deletable"]
    (edge,) = args["edges"]
    assert (edge["source"], edge["target"], edge["label"]) == ("a", "b", "next")
    # A read-only canvas: nodes can be clicked, nothing else.
    frozen = canvas_args(
        FlowState(
            tuple(FlowNode(n.id, n.position, n.face, editable=False) for n in _STATE.nodes), (), 1
        ),
        height=300,
        fit_view=True,
        show_minimap=False,
        min_zoom=0.5,
        editable=False,
        style={},
    )
    assert not any(frozen[name] for name in ("allowNewEdges", "enableNodeMenu", "enableEdgeMenu"))
    assert frozen["getNodeOnClick"] and not frozen["nodes"][0]["draggable"]


def test_moved_keeps_the_timestamp_and_moves_only_the_nodes_named():
    moved = _STATE.moved({"b": (1.0, 2.0)})
    assert moved.timestamp == 7 and [n.position for n in moved.nodes] == [(0, 0), (1.0, 2.0)]


def test_the_build_is_what_streamlit_serves():
    html = (_FLOW / "build" / "index.html").read_text()
    assert 'src="./index.js"' in html and 'href="./index.css"' in html
    assert (_FLOW / "build" / "index.js").stat().st_size > 100_000
    assert "MIT License" in (_FLOW / "frontend" / "LICENSE").read_text()


_REPORTING_APP = """
import streamlit as st
from pages.widgets.flow import FlowNode, FlowState, NodeFace, flow_canvas

face = NodeFace("Greet", "Activity", "#2563EB", "gear-fill")
state = FlowState((FlowNode("a", (0, 0), face),), (), timestamp=1)
st.session_state.report = flow_canvas("canvas", state, height=300)
"""


def test_a_report_is_read_back_as_positions_labels_edges_and_the_selection():
    at = AppTest.from_string(_REPORTING_APP).run()
    assert at.session_state.report is None  # nothing reported yet
    at.session_state["canvas"] = {
        "nodes": [{"id": "a", "position": {"x": 3, "y": 4}, "data": {"label": "Hi"}}],
        "edges": [{"id": "e", "source": "a", "target": "a"}],
        "selectedId": "a",
        "timestamp": 9,
    }
    report = at.run().session_state.report
    assert report.positions == {"a": (3, 4)} and report.labels == {"a": "Hi"}
    assert report.edges == {"e": ("a", "a")}
    assert (report.selected_id, report.timestamp) == ("a", 9)
