"""The builder's canvas: a graph document drawn as a flow state, and its events read back."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any, Literal

from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE
from core.nodes.catalog import CATALOG
from pages.widgets.flow import (
    FlowEdge,
    FlowNode,
    FlowReport,
    FlowState,
    NodeFace,
    flow_canvas,
)
from pages.widgets.kind_looks import look

CANVAS_KEY = "builder_canvas"
#: Fits below the builder's three header rows on a 1280x800 screen (Streamlit cannot read the
#: viewport); the header's menu offers a taller canvas for bigger screens.
CANVAS_HEIGHT = 520
TALL_CANVAS_HEIGHT = 800
#: Graphs small enough to see whole anyway are drawn without the (compact) minimap.
MINIMAP_FROM_NODES = 16
_NODE_TYPES: dict[str, Literal["input", "output"]] = {"start": "input", "end": "output"}
_NODE_STYLE = {
    "borderRadius": "10px",
    "padding": "2px 10px",
    "fontSize": "14px",
    "lineHeight": "1.3",
    "width": "150px",
    "textAlign": "left",
    "color": "#111827",
}
_PROBLEM_RED = "#DC2626"
_INVALID_STYLE = {"outline": f"3px solid {_PROBLEM_RED}", "outlineOffset": "2px"}
_INVALID_EDGE_STYLE = {"stroke": _PROBLEM_RED, "strokeWidth": 2.5}
_EDGE_STYLE = {"stroke": "#64748B", "strokeWidth": 1.5}
_ERROR_EDGE_STYLE = {"stroke": "#EA580C", "strokeWidth": 1.5, "strokeDasharray": "6 4"}
_EDGE_LABEL_BACKGROUND = {"fill": "#FFFFFF", "stroke": "#94A3B8", "strokeWidth": 1}


def node_face(node: dict[str, Any], *, problems: int = 0) -> NodeFace:
    """What a node shows: its label, its kind's icon and title in the kind's colour, and how
    many problems validation found on it."""
    kind = CATALOG.get(node.get("type", ""))
    shown = look(str(node.get("type", "")))
    return NodeFace(
        label=str(node.get("label") or node.get("id", "")),
        title=kind.title if kind else f"unknown kind {node.get('type')!r}",
        colour=shown.colour,
        icon=shown.bootstrap,
        problems=problems,
    )


def kind_style(kind: str) -> dict[str, Any]:
    """A node's box in its kind's colour: a thick left bar and a light tint of the colour."""
    colour = look(kind).colour
    return {
        "border": f"1px solid {colour}",
        "borderLeft": f"6px solid {colour}",
        "background": f"{colour}14",  # about 8% of the colour over the white canvas
    }


def edited_label(text: str) -> str:
    """A label as typed in the node menu's "Edit Node": trimmed, and without bold marks around
    it (the canvas draws labels bold; its markdown nodes of before took ``**label**``)."""
    return text.strip().removeprefix("**").removesuffix("**").strip()


def flow_state(
    document: dict[str, Any],
    *,
    invalid: Mapping[str, int],
    selected: str | None,
    timestamp: int,
) -> FlowState:
    """A new canvas state for ``document``; ``invalid`` counts the problems per node or edge id,
    and those are outlined in red with a badge."""
    nodes = []
    for node in document.get("nodes", []):
        style = kind_style(str(node.get("type", "")))
        problems = invalid.get(node.get("id", ""), 0)
        if problems:
            style.update(_INVALID_STYLE)
        nodes.append(
            flow_node(node, face=node_face(node, problems=problems), style=style, selected=selected)
        )
    return FlowState(tuple(nodes), flow_edges(document, invalid=invalid), timestamp=timestamp)


def flow_node(
    node: dict[str, Any],
    *,
    face: NodeFace,
    style: dict[str, Any],
    selected: str | None = None,
    editable: bool = True,
) -> FlowNode:
    """One node of a document at its position; read-only ones can still be clicked."""
    node_id = node.get("id", "")
    position = node.get("position") or {}
    return FlowNode(
        node_id,
        (position.get("x", 0), position.get("y", 0)),
        face,
        type=_NODE_TYPES.get(node.get("type", ""), "default"),
        selected=node_id == selected,
        editable=editable,
        style={**_NODE_STYLE, **style},
    )


def flow_edges(
    document: dict[str, Any], *, invalid: Collection[str] = (), editable: bool = True
) -> tuple[FlowEdge, ...]:
    """The document's edges, labelled with their handle unless it is the default one."""
    return tuple(
        FlowEdge(
            edge.get("id", ""),
            edge.get("source", ""),
            edge.get("target", ""),
            label="" if edge.get("handle", DEFAULT_HANDLE) == DEFAULT_HANDLE else edge["handle"],
            editable=editable,
            style=_edge_style(edge, invalid),
            label_background=_EDGE_LABEL_BACKGROUND,
        )
        for edge in document.get("edges", [])
    )


def _edge_style(edge: dict[str, Any], invalid: Collection[str]) -> dict[str, Any]:
    if edge.get("id") in invalid:
        return _INVALID_EDGE_STYLE
    return _ERROR_EDGE_STYLE if edge.get("handle") == ERROR_HANDLE else _EDGE_STYLE


def show_canvas(state: FlowState, *, after: int, height: int = CANVAS_HEIGHT) -> FlowReport | None:
    """Draw the canvas; return what it reported when that is newer than timestamp ``after``,
    its ``labels`` only those edited with the node menu's "Edit Node".

    The component keeps returning its last report on every rerun, so reports already handled
    (or older than the state Python sent last) are ignored.
    """
    report = flow_canvas(
        CANVAS_KEY,
        state,
        height=height,
        show_minimap=len(state.nodes) >= MINIMAP_FROM_NODES,
        style={"border": "1px solid #E5E7EB", "borderRadius": "8px"},
        # The default, 0.5, stops "fit view" short of wide graphs, cutting off their first
        # and last nodes; at 0.2 a 15-layer chain fits a 1280 px screen's canvas.
        min_zoom=0.2,
    )
    if report is None or report.timestamp <= after:
        return None
    drawn = {node.id: node.face.label for node in state.nodes}
    edited = {
        node_id: edited_label(label)
        for node_id, label in report.labels.items()
        if node_id in drawn and label != drawn[node_id]
    }
    return replace(report, labels={node_id: label for node_id, label in edited.items() if label})
