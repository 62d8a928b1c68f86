"""The graph canvas component: our build of streamlit-flow's React Flow frontend, and its values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import streamlit.components.v1 as components

__all__ = [
    "FRAME_TITLE",
    "FlowEdge",
    "FlowNode",
    "FlowReport",
    "FlowState",
    "NodeFace",
    "flow_canvas",
]

#: The committed production build of ./frontend (see its build.mjs); no node needed to run.
_BUILD = Path(__file__).parent / "build"
_component = components.declare_component("canvas", path=str(_BUILD))
#: The component's iframe title (Streamlit names it ``<module>.<name>``): browser tests and
#: benchmarks find the canvas by it.
FRAME_TITLE = f"{__name__}.canvas"


@dataclass(frozen=True)
class NodeFace:
    """What a node shows, each field drawn as plain text by the renderer
    (frontend/src/components/PlainNode.jsx): the label in bold, then the icon and title in
    the colour, then a badge when ``problems`` is above zero."""

    label: str
    title: str
    colour: str
    icon: str  # a Bootstrap Icons name, which the build ships
    problems: int = 0


@dataclass(frozen=True)
class FlowNode:
    """One node at its position; ``editable=False`` ones can be clicked, not changed."""

    id: str
    position: tuple[float, float]
    face: NodeFace
    type: Literal["input", "default", "output"] = "default"
    selected: bool = False
    editable: bool = True
    style: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The node as React Flow reads it."""
        x, y = self.position
        return {
            "id": self.id,
            "position": {"x": x, "y": y},
            "data": {
                "label": self.face.label,
                "title": self.face.title,
                "colour": self.face.colour,
                "icon": self.face.icon,
                "problems": self.face.problems,
            },
            "type": self.type,
            "sourcePosition": "right",
            "targetPosition": "left",
            "selected": self.selected,
            "selectable": True,
            "draggable": self.editable,
            "connectable": self.editable,
            "deletable": self.editable,
            "style": dict(self.style),
        }


@dataclass(frozen=True)
class FlowEdge:
    """One edge, drawn as an arrow with ``label`` (if any) on a rounded background."""

    id: str
    source: str
    target: str
    label: str = ""
    editable: bool = True
    style: Mapping[str, Any] = field(default_factory=dict)
    label_background: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The edge as React Flow reads it."""
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "type": "smoothstep",
            "markerEnd": {"type": "arrowclosed"},
            "deletable": self.editable,
            "label": self.label,
            "labelShowBg": True,
            "labelBgStyle": dict(self.label_background),
            "labelBgPadding": [6, 3],
            "labelBgBorderRadius": 6,
            "style": dict(self.style),
        }


@dataclass(frozen=True)
class FlowState:
    """What Python draws. The canvas adopts a state only when its ``timestamp`` is newer than
    the last report it sent, so every new state needs a new timestamp."""

    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]
    timestamp: int

    def moved(self, positions: Mapping[str, tuple[float, float]]) -> FlowState:
        """This state with nodes at ``positions`` and the same timestamp: what the canvas shows
        after a drag (it ignores a state of that age, but draws it when mounted afresh)."""
        return replace(
            self,
            nodes=tuple(
                replace(node, position=positions[node.id]) if node.id in positions else node
                for node in self.nodes
            ),
        )


@dataclass(frozen=True)
class FlowReport:
    """What the canvas sent after a user action: every node's position and label, every edge's
    ends, the node or edge clicked (if any) and when."""

    positions: dict[str, tuple[float, float]]
    labels: dict[str, str]
    edges: dict[str, tuple[str, str]]
    selected_id: str | None
    timestamp: int


def canvas_args(
    state: FlowState,
    *,
    height: int,
    fit_view: bool,
    show_minimap: bool,
    min_zoom: float,
    editable: bool,
    style: Mapping[str, Any],
) -> dict[str, Any]:
    """The arguments the frontend reads (frontend/src/StreamlitFlowComponent.jsx)."""
    return {
        "nodes": [node.to_json() for node in state.nodes],
        "edges": [edge.to_json() for edge in state.edges],
        "timestamp": state.timestamp,
        "height": height,
        "fitView": fit_view,
        "showControls": True,
        "showMiniMap": show_minimap,
        "minZoom": min_zoom,
        "allowZoom": True,
        "panOnDrag": True,
        "hideWatermark": True,
        "style": dict(style),
        "getNodeOnClick": True,
        "getEdgeOnClick": editable,
        "allowNewEdges": editable,
        "animateNewEdges": False,
        "enableNodeMenu": editable,
        "enableEdgeMenu": editable,
    }


def flow_canvas(
    key: str,
    state: FlowState,
    *,
    height: int,
    fit_view: bool = True,
    show_minimap: bool = False,
    min_zoom: float = 0.5,
    editable: bool = True,
    style: Mapping[str, Any] | None = None,
) -> FlowReport | None:
    """Draw ``state``; return the canvas's last report (None before its first one).

    The canvas reports node and edge clicks, drags, new edges, deletions and label edits, and
    keeps returning its last report on every rerun. A read-only canvas (``editable=False``)
    reports node clicks only.
    """
    value = _component(
        key=key,
        default=None,
        **canvas_args(
            state,
            height=height,
            fit_view=fit_view,
            show_minimap=show_minimap,
            min_zoom=min_zoom,
            editable=editable,
            style=style or {},
        ),
    )
    if value is None:
        return None
    nodes = value.get("nodes", [])
    return FlowReport(
        positions={node["id"]: (node["position"]["x"], node["position"]["y"]) for node in nodes},
        labels={node["id"]: str(node.get("data", {}).get("label", "")) for node in nodes},
        edges={edge["id"]: (edge["source"], edge["target"]) for edge in value.get("edges", [])},
        selected_id=value.get("selectedId"),
        timestamp=int(value.get("timestamp", 0)),
    )
