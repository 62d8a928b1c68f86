"""The streamlit-flow canvas: a graph document drawn as a flow state, and its events read back."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from streamlit_flow import streamlit_flow
from streamlit_flow.elements import StreamlitFlowEdge, StreamlitFlowNode
from streamlit_flow.layouts import ManualLayout
from streamlit_flow.state import StreamlitFlowState

from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE
from core.nodes.catalog import CATALOG
from core.text import markdown_literal, markdown_unliteral
from pages.widgets.kind_looks import look

CANVAS_KEY = "builder_canvas"
#: Fits below the builder's three header rows on a 1280x800 screen (Streamlit cannot read the
#: viewport); the header's menu offers a taller canvas for bigger screens.
CANVAS_HEIGHT = 520
TALL_CANVAS_HEIGHT = 800
#: The minimap is drawn at a fixed 200x150 px that the component offers no way to change, so
#: it is left out of graphs small enough to see whole anyway.
MINIMAP_FROM_NODES = 16
_NODE_TYPES = {"start": "input", "end": "output"}
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


@dataclass(frozen=True)
class CanvasReport:
    """What the canvas sent back: node positions, edges and the clicked node or edge."""

    positions: dict[str, tuple[float, float]]
    edges: dict[str, tuple[str, str]]
    labels: dict[str, str]  # nodes whose text was edited with the node menu's "Edit Node"
    selected_id: str | None
    timestamp: int


def node_content(node: dict[str, Any], *, problems: int = 0) -> str:
    """The markdown a node shows: its label in bold, then its kind's icon and title, then a
    problem badge when validation found any on it.

    The label stays the first line: the node menu's "Edit Node" reads it back from there.
    """
    kind = CATALOG.get(node.get("type", ""))
    title = kind.title if kind else f"unknown kind {node.get('type')!r}"
    shown = look(str(node.get("type", "")))
    label = node.get("label") or node.get("id", "")
    # The canvas renders Markdown with raw HTML allowed: user text goes in as literal text,
    # and the HTML around it is ours alone (icon names and colours from a fixed table).
    lines = [
        f"**{markdown_literal(str(label))}**",
        f'<span style="color:{shown.colour};font-size:13px;font-weight:600">'
        f'<i class="bi bi-{shown.bootstrap}"></i> {markdown_literal(title)}</span>',
    ]
    if problems:
        lines.append(
            f'<span style="color:#FFFFFF;background:{_PROBLEM_RED};border-radius:9px;'
            f'padding:1px 8px;font-size:12px;font-weight:600">'
            f'<i class="bi bi-exclamation-triangle-fill"></i> '
            f"{problems} problem{'s' if problems > 1 else ''}</span>"
        )
    return "  \n".join(lines)


def kind_style(kind: str) -> dict[str, Any]:
    """A node's box in its kind's colour: a thick left bar and a light tint of the colour."""
    colour = look(kind).colour
    return {
        "border": f"1px solid {colour}",
        "borderLeft": f"6px solid {colour}",
        "background": f"{colour}14",  # about 8% of the colour over the white canvas
    }


def label_from_content(content: str) -> str:
    """The label in a node's text as edited on the canvas: its first line, without bold marks.

    The canvas shows ``**label**`` over the kind (see :func:`node_content`), so an edit that
    keeps that shape, or one that is just the new label, both read as the label.
    """
    first = next((line.strip() for line in content.splitlines() if line.strip()), "")
    return markdown_unliteral(first.removeprefix("**").removesuffix("**").strip())


def flow_state(
    document: dict[str, Any],
    *,
    invalid: Mapping[str, int],
    selected: str | None,
    timestamp: int,
) -> StreamlitFlowState:
    """A new canvas state for ``document``; ``invalid`` counts the problems per node or edge id,
    and those are outlined in red with a badge."""
    nodes = []
    for node in document.get("nodes", []):
        style = kind_style(str(node.get("type", "")))
        problems = invalid.get(node.get("id", ""), 0)
        if problems:
            style.update(_INVALID_STYLE)
        nodes.append(
            flow_node(
                node,
                content=node_content(node, problems=problems),
                style=style,
                selected=selected,
            )
        )
    edges = flow_edges(document, invalid=invalid)
    return StreamlitFlowState(nodes, edges, selected_id=selected, timestamp=timestamp)


def flow_node(
    node: dict[str, Any],
    *,
    content: str,
    style: dict[str, Any],
    selected: str | None = None,
    editable: bool = True,
) -> StreamlitFlowNode:
    """One node of a document at its position; read-only ones can still be clicked."""
    node_id = node.get("id", "")
    position = node.get("position") or {}
    return StreamlitFlowNode(
        node_id,
        (position.get("x", 0), position.get("y", 0)),
        {"content": content, "kind": node.get("type")},
        _NODE_TYPES.get(node.get("type", ""), "default"),
        source_position="right",
        target_position="left",
        selected=node_id == selected,
        draggable=editable,
        selectable=True,
        connectable=editable,
        deletable=editable,
        style={**_NODE_STYLE, **style},
    )


def flow_edges(
    document: dict[str, Any], *, invalid: Collection[str] = (), editable: bool = True
) -> list[StreamlitFlowEdge]:
    """The document's edges, labelled with their handle unless it is the default one."""
    return [
        StreamlitFlowEdge(
            edge.get("id", ""),
            edge.get("source", ""),
            edge.get("target", ""),
            edge_type="smoothstep",
            marker_end={"type": "arrowclosed"},
            deletable=editable,
            label="" if edge.get("handle", DEFAULT_HANDLE) == DEFAULT_HANDLE else edge["handle"],
            label_show_bg=True,
            label_bg_style=dict(_EDGE_LABEL_BACKGROUND),
            style=dict(_edge_style(edge, invalid)),
            labelBgPadding=[6, 3],
            labelBgBorderRadius=6,
        )
        for edge in document.get("edges", [])
    ]


def _edge_style(edge: dict[str, Any], invalid: Collection[str]) -> dict[str, Any]:
    if edge.get("id") in invalid:
        return _INVALID_EDGE_STYLE
    return _ERROR_EDGE_STYLE if edge.get("handle") == ERROR_HANDLE else _EDGE_STYLE


def move_in_place(
    state: StreamlitFlowState | None, positions: dict[str, tuple[float, float]]
) -> None:
    """Keep a drawn state's positions in step with the canvas after a drag.

    The canvas ignores this (older) state, but draws it again when it is mounted afresh, for
    example after the code view, and must not move nodes back then.
    """
    for node in state.nodes if state is not None else ():
        if node.id in positions:
            x, y = positions[node.id]
            node.position = {"x": x, "y": y}


def show_canvas(
    state: StreamlitFlowState, *, after: int, height: int = CANVAS_HEIGHT
) -> CanvasReport | None:
    """Draw the canvas; return what it reported when that is newer than timestamp ``after``.

    The component keeps returning its last report on every rerun, so reports already handled
    (or older than the state Python sent last) are ignored.
    """
    result = streamlit_flow(
        CANVAS_KEY,
        state,
        height=height,
        fit_view=True,
        show_minimap=len(state.nodes) >= MINIMAP_FROM_NODES,
        allow_new_edges=True,
        get_node_on_click=True,
        get_edge_on_click=True,
        enable_node_menu=True,
        enable_edge_menu=True,
        layout=ManualLayout(),
        hide_watermark=True,
        style={"border": "1px solid #E5E7EB", "borderRadius": "8px"},
        # The default, 0.5, stops "fit view" short of wide graphs, cutting off their first
        # and last nodes; at 0.2 a 15-layer chain fits a 1280 px screen's canvas.
        min_zoom=0.2,
    )
    if result is state or result.timestamp <= after:
        return None
    drawn = {node.id: node.data.get("content") for node in state.nodes}
    edited = {
        node.id: label_from_content(node.data.get("content") or "")
        for node in result.nodes
        if node.id in drawn and node.data.get("content") != drawn[node.id]
    }
    return CanvasReport(
        positions={node.id: (node.position["x"], node.position["y"]) for node in result.nodes},
        edges={edge.id: (edge.source, edge.target) for edge in result.edges},
        labels={node_id: label for node_id, label in edited.items() if label},
        selected_id=result.selected_id,
        timestamp=result.timestamp,
    )
