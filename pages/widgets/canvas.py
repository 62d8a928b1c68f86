"""The streamlit-flow canvas: a graph document drawn as a flow state, and its events read back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from streamlit_flow import streamlit_flow
from streamlit_flow.elements import StreamlitFlowEdge, StreamlitFlowNode
from streamlit_flow.layouts import ManualLayout
from streamlit_flow.state import StreamlitFlowState

from core.graph.model import DEFAULT_HANDLE
from core.nodes import CATALOG
from core.text import markdown_literal, markdown_unliteral

CANVAS_KEY = "builder_canvas"
CANVAS_HEIGHT = 600
_NODE_TYPES = {"start": "input", "end": "output"}
_NODE_STYLE = {"borderRadius": "8px", "padding": "6px 10px", "fontSize": "14px"}
_INVALID_STYLE = {"border": "2px solid #DC2626", "background": "#FEF2F2"}
_INVALID_EDGE_STYLE = {"stroke": "#DC2626", "strokeWidth": 2}


@dataclass(frozen=True)
class CanvasReport:
    """What the canvas sent back: node positions, edges and the clicked node or edge."""

    positions: dict[str, tuple[float, float]]
    edges: dict[str, tuple[str, str]]
    labels: dict[str, str]  # nodes whose text was edited with the node menu's "Edit Node"
    selected_id: str | None
    timestamp: int


def node_content(node: dict[str, Any]) -> str:
    """The markdown a node shows: its label in bold, then its kind."""
    kind = CATALOG.get(node.get("type", ""))
    title = kind.title if kind else f"unknown kind {node.get('type')!r}"
    label = node.get("label") or node.get("id", "")
    # The canvas renders Markdown with raw HTML allowed: user text goes in as literal text.
    return f"**{markdown_literal(str(label))}**  \n{markdown_literal(title)}"


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
    invalid: set[str],
    selected: str | None,
    timestamp: int,
) -> StreamlitFlowState:
    """A new canvas state for ``document``, invalid nodes and edges outlined in red."""
    nodes = []
    for node in document.get("nodes", []):
        style = dict(_NODE_STYLE)
        if node.get("id", "") in invalid:
            style.update(_INVALID_STYLE)
        nodes.append(flow_node(node, content=node_content(node), style=style, selected=selected))
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
    document: dict[str, Any], *, invalid: set[str] | None = None, editable: bool = True
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
            style=dict(_INVALID_EDGE_STYLE) if invalid and edge.get("id") in invalid else {},
        )
        for edge in document.get("edges", [])
    ]


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


def show_canvas(state: StreamlitFlowState, *, after: int) -> CanvasReport | None:
    """Draw the canvas; return what it reported when that is newer than timestamp ``after``.

    The component keeps returning its last report on every rerun, so reports already handled
    (or older than the state Python sent last) are ignored.
    """
    result = streamlit_flow(
        CANVAS_KEY,
        state,
        height=CANVAS_HEIGHT,
        fit_view=True,
        show_minimap=True,
        allow_new_edges=True,
        get_node_on_click=True,
        get_edge_on_click=True,
        enable_node_menu=True,
        enable_edge_menu=True,
        layout=ManualLayout(),
        hide_watermark=True,
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
