"""Edits the builder makes to a graph document (pure functions on dicts) and its undo history."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE
from core.layout import LAYER_GAP
from core.nodes.catalog import CATALOG
from core.nodes.kind import NodeKind

Document = dict[str, Any]

#: How far from the selected node a node added from the palette is placed: one layout layer.
PLACEMENT_OFFSET = (LAYER_GAP, 0)
DEFAULT_HISTORY_LIMIT = 50


class EditError(ValueError):
    """An edit names a node, edge or kind the document does not have."""


def add_node(
    document: Document,
    *,
    kind: str,
    near: str | None = None,
    position: tuple[float, float] | None = None,
) -> tuple[Document, str]:
    """Add a node of ``kind`` with its starter params.

    Args:
        document: the graph document (not modified).
        kind: a node kind from the catalog.
        near: a node id to place the new node beside (right of it, below any node there).
        position: where to place it when ``near`` is not given (default: right of everything).

    Returns:
        The new document and the new node's id.

    Raises:
        EditError: unknown kind.
    """
    if kind not in CATALOG:
        raise EditError(f"unknown node kind {kind!r}; known kinds: {', '.join(CATALOG)}")
    result = copy.deepcopy(document)
    nodes = result.setdefault("nodes", [])
    node_id = _fresh_id(kind, {node.get("id") for node in nodes})
    x, y = position if position is not None else _free_spot(nodes, near)
    nodes.append(
        {
            "id": node_id,
            "type": kind,
            "label": CATALOG[kind].title,
            "params": copy.deepcopy(dict(CATALOG[kind].hints.starter_params)),
            "position": {"x": x, "y": y},
        }
    )
    return result, node_id


@dataclass(frozen=True)
class Insertion:
    """Where a node added from the palette goes: into an edge, before a node, or beside one.

    ``edges`` are re-pointed at the new node (their source and handle kept); ``then`` is the
    node the new one leads on to (``None``: it is left without an outgoing edge); ``attach``
    is a node to hang it from through ``handle`` when no edge is re-pointed.
    """

    edges: tuple[str, ...] = ()
    then: str | None = None
    attach: str | None = None
    handle: str | None = None


def insert_node(
    document: Document, *, kind: str, after: str | None, template: Mapping[str, Any] | None = None
) -> tuple[Document, str]:
    """Add a node of ``kind`` into the flow after the selected node or edge, connected.

    With ``A -> B`` and ``A`` selected, adding ``X`` gives ``A -> X -> B``: ``A``'s edge on its
    onward handle (:func:`onward_handle`: ``next``, a condition's ``true``, a loop's ``done``)
    is re-pointed at ``X`` and ``X`` leads on to ``B`` through its own onward handle. A
    selected edge gets the node in its middle. A node nothing can leave (an end) gets the new
    node before it. With nothing selected the node goes before the last end node, else after
    the rightmost node. A new node that cannot lead on (an end) is only hung from a free
    handle. Nodes in the way downstream are moved right to make room.

    Args:
        document: the graph document (not modified).
        kind: a node kind from the catalog.
        after: the selected node or edge id, if any.
        template: label and params to copy (duplicating a node) instead of the starters.

    Returns:
        The new document and the new node's id.

    Raises:
        EditError: unknown kind.
    """
    result, node_id = add_node(document, kind=kind, near=after)
    new = result["nodes"][-1]
    if template is not None:
        new["label"] = template.get("label", new["label"])
        new["params"] = copy.deepcopy(template.get("params", new["params"]))
    plan = _plan_insertion(result, node_id, after)
    for edge in result.setdefault("edges", []):
        if edge.get("id") in plan.edges:
            edge["target"] = node_id
    if plan.attach is not None:
        result, _ = connect(result, source=plan.attach, target=node_id, handle=plan.handle)
    if plan.then is not None:
        result, _ = connect(
            result, source=node_id, target=plan.then, handle=onward_handle(result, node_id)
        )
    by_id = {node.get("id"): node for node in result["nodes"]}
    _make_room(result, by_id[node_id], plan, by_id)
    return result, node_id


def duplicate_node(document: Document, node_id: str) -> tuple[Document, str]:
    """A copy of ``node_id`` (kind, label, params) inserted after it, as :func:`insert_node`.

    Raises:
        EditError: no such node.
    """
    node = _find(document.get("nodes", []), node_id, "node")
    return insert_node(document, kind=node.get("type", ""), after=node_id, template=node)


def delete_item(document: Document, item_id: str) -> Document:
    """Delete a node or an edge; a node with one edge in and one out is bridged over.

    ``A -> X -> B`` without ``X`` becomes ``A -> B`` (on ``A``'s handle), the way
    :func:`insert_node` put ``X`` there.

    Raises:
        EditError: no node or edge has that id.
    """
    edges = document.get("edges", [])
    if any(edge.get("id") == item_id for edge in edges):
        return remove_edges(document, [item_id])
    _find(document.get("nodes", []), item_id, "node")
    incoming = [edge for edge in edges if edge.get("target") == item_id]
    outgoing = [edge for edge in edges if edge.get("source") == item_id]
    result = remove_nodes(document, [item_id])
    if len(incoming) == 1 and len(outgoing) == 1 and outgoing[0].get("target") != item_id:
        bridge = copy.deepcopy(incoming[0])
        bridge["target"] = outgoing[0].get("target")
        result["edges"].append(bridge)
    return result


def onward_handle(document: Document, node_id: str) -> str | None:
    """The handle the flow goes on through after ``node_id``; ``None`` when nothing may leave.

    The kind's ``onward_handle`` if it has one (a loop's ``done``), else its first handle.
    """
    handles = node_handles(document, node_id)
    kind = CATALOG.get(_find(document.get("nodes", []), node_id, "node").get("type", ""))
    preferred = kind.onward_handle if kind is not None else None
    if preferred in handles:
        return preferred
    return handles[0] if handles else None


def insertion_anchor(
    document: Document, after: str | None, *, exclude: str | None = None
) -> tuple[str, str] | None:
    """What :func:`insert_node` places a new node against: ``("edge", id)`` to go into,
    ``("node", id)`` to go after (or before, for a node nothing may leave), ``None`` for an
    empty graph. The selection when it exists; else the last end that something reaches (the
    rightmost), else the rightmost node. ``exclude`` is a node never to pick (the new one).
    """
    edges = document.get("edges", [])
    if any(edge.get("id") == after for edge in edges):
        return ("edge", str(after))
    nodes = [node for node in document.get("nodes", []) if node.get("id") != exclude]
    if any(node.get("id") == after for node in nodes):
        return ("node", str(after))
    reached = {edge.get("target") for edge in edges}
    ends = [node for node in nodes if node.get("type") == "end" and node.get("id") in reached]
    candidates = ends or nodes
    if not candidates:
        return None
    return ("node", str(max(candidates, key=_position)["id"]))


def _plan_insertion(document: Document, node_id: str, after: str | None) -> Insertion:
    """Which edges the new node ``node_id`` goes into, for :func:`insert_node`."""
    edges = document.get("edges", [])
    leads_on = onward_handle(document, node_id) is not None
    anchor = insertion_anchor(document, after, exclude=node_id)
    if anchor is None:
        return Insertion()
    what, anchor_id = anchor
    if what == "edge":
        if not leads_on:
            return Insertion()
        target = next(edge.get("target") for edge in edges if edge.get("id") == anchor_id)
        return Insertion(edges=(anchor_id,), then=target)
    handle = onward_handle(document, anchor_id)
    if handle is None:  # an end: the new node goes before it
        if not leads_on:
            return Insertion()
        into = tuple(edge["id"] for edge in edges if edge.get("target") == anchor_id)
        return Insertion(edges=into, then=anchor_id)
    onward = next(
        (e for e in edges if e.get("source") == anchor_id and e.get("handle") == handle), None
    )
    if onward is None:
        return Insertion(attach=anchor_id, handle=handle)
    if not leads_on:
        return Insertion()
    return Insertion(edges=(onward["id"],), then=onward.get("target"))


def _make_room(
    document: Document,
    new: dict[str, Any],
    plan: Insertion,
    by_id: Mapping[str, dict[str, Any]],
) -> None:
    """Place ``new`` on the flow it joined and move what follows right if it is in the way."""
    gap = PLACEMENT_OFFSET[0]
    edges = document.get("edges", [])
    sources = [
        by_id[edge["source"]]
        for edge in edges
        if edge.get("target") == new["id"] and edge.get("source") in by_id
    ]
    then = by_id.get(plan.then) if plan.then is not None else None
    if sources:
        x, y = _position(max(sources, key=_position))
        x += gap
    elif then is not None:
        x, y = _position(then)
        x -= gap
    else:
        return  # not connected: add_node's free spot stands
    new["position"] = {"x": x, "y": y}
    if then is not None and _position(then)[0] < x + gap:
        shift = x + gap - _position(then)[0]
        for node_id in _downstream(document, then["id"], stop=new["id"], from_x=_position(then)[0]):
            node = by_id[node_id]
            nx, ny = _position(node)
            node["position"] = {"x": nx + shift, "y": ny}
    occupied = [_position(node) for node in document["nodes"] if node.get("id") != new["id"]]
    # Step down until the spot is clear (a branch may already sit there).
    while any(abs(x - ox) < 150 and abs(y - oy) < 60 for ox, oy in occupied):
        y += 100
    new["position"] = {"x": x, "y": y}


def _downstream(document: Document, start: str, *, stop: str, from_x: float) -> list[str]:
    """``start`` and the nodes reachable from it, not through ``stop`` and not left of
    ``from_x`` (a loop's back edge leads left, to nodes that need not move)."""
    successors: dict[str, list[str]] = {}
    for edge in document.get("edges", []):
        successors.setdefault(edge.get("source"), []).append(edge.get("target"))
    positions = {node.get("id"): _position(node) for node in document.get("nodes", [])}
    seen = {start}
    stack = [start]
    while stack:
        for target in successors.get(stack.pop(), ()):
            if target in seen or target == stop or target not in positions:
                continue
            if positions[target][0] < from_x:
                continue
            seen.add(target)
            stack.append(target)
    return sorted(seen)


def remove_nodes(document: Document, node_ids: Iterable[str]) -> Document:
    """Remove nodes and every edge that touches them."""
    gone = set(node_ids)
    result = copy.deepcopy(document)
    result["nodes"] = [node for node in result.get("nodes", []) if node.get("id") not in gone]
    result["edges"] = [
        edge
        for edge in result.get("edges", [])
        if edge.get("source") not in gone and edge.get("target") not in gone
    ]
    return result


def remove_edges(document: Document, edge_ids: Iterable[str]) -> Document:
    """Remove edges by id."""
    gone = set(edge_ids)
    result = copy.deepcopy(document)
    result["edges"] = [edge for edge in result.get("edges", []) if edge.get("id") not in gone]
    return result


def connect(
    document: Document,
    *,
    source: str,
    target: str,
    handle: str | None = None,
    edge_id: str | None = None,
) -> tuple[Document, str]:
    """Add an edge from ``source`` to ``target``.

    Args:
        document: the graph document (not modified).
        source: the node the edge leaves.
        target: the node it enters.
        handle: the source handle; default: :func:`default_handle`.
        edge_id: the edge id to use (the canvas makes its own); default: a fresh ``e<N>``.

    Returns:
        The new document and the edge id.

    Raises:
        EditError: either node is missing, or ``edge_id`` is taken.
    """
    ids = {node.get("id") for node in document.get("nodes", [])}
    for end, node_id in (("source", source), ("target", target)):
        if node_id not in ids:
            raise EditError(f"cannot connect: {end} node {node_id!r} does not exist")
    taken = {edge.get("id") for edge in document.get("edges", [])}
    if edge_id is None:
        edge_id = _fresh_id("e", taken, separator="")
    elif edge_id in taken:
        raise EditError(f"edge id {edge_id!r} is already used")
    result = copy.deepcopy(document)
    result.setdefault("edges", []).append(
        {
            "id": edge_id,
            "source": source,
            "target": target,
            "handle": handle if handle is not None else default_handle(document, source),
        }
    )
    return result, edge_id


def set_edge_handle(document: Document, edge_id: str, handle: str) -> Document:
    """Route an edge from another handle of its source node."""
    result = copy.deepcopy(document)
    _find(result.get("edges", []), edge_id, "edge")["handle"] = handle
    return result


def update_node(
    document: Document,
    node_id: str,
    *,
    label: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> Document:
    """Set a node's label and/or its whole params object."""
    result = copy.deepcopy(document)
    node = _find(result.get("nodes", []), node_id, "node")
    if label is not None:
        node["label"] = label
    if params is not None:
        node["params"] = copy.deepcopy(dict(params))
    return result


def update_workflow(document: Document, **settings: Any) -> Document:
    """Set workflow settings (description, task_queue, run_timeout, signals, queries)."""
    result = copy.deepcopy(document)
    result.setdefault("workflow", {}).update(copy.deepcopy(settings))
    return result


def move_nodes(document: Document, positions: Mapping[str, tuple[float, float]]) -> Document:
    """Set the canvas positions of the nodes named in ``positions``."""
    result = copy.deepcopy(document)
    for node in result.get("nodes", []):
        if node.get("id") in positions:
            x, y = positions[node["id"]]
            node["position"] = {"x": x, "y": y}
    return result


@dataclass(frozen=True)
class CanvasSync:
    """The document after taking in what the canvas reported, and what the canvas added."""

    document: Document
    new_edges: tuple[str, ...]
    changed: bool


def sync_from_canvas(
    document: Document,
    *,
    positions: Mapping[str, tuple[float, float]],
    edges: Mapping[str, tuple[str, str]],
    labels: Mapping[str, str] = MappingProxyType({}),
) -> CanvasSync:
    """Apply the canvas's view of the graph: moved, relabelled and deleted nodes, deleted and
    new edges.

    Args:
        document: the graph document (not modified).
        positions: node id -> position, for every node the canvas still shows.
        edges: edge id -> (source, target), for every edge the canvas shows.
        labels: node id -> label, for nodes whose text was edited on the canvas.

    Returns:
        The new document, ids of edges the canvas created (their handle is the default one),
        and whether anything changed.
    """
    known_nodes = {node.get("id") for node in document.get("nodes", [])}
    result = remove_nodes(document, known_nodes - set(positions))
    moved = {
        node["id"]: positions[node["id"]]
        for node in result["nodes"]
        if _position(node) != tuple(positions[node["id"]])
    }
    result = move_nodes(result, moved)
    for node in list(result["nodes"]):
        label = labels.get(node["id"])
        if label is not None and label != node.get("label"):
            result = update_node(result, node["id"], label=label)
    result = remove_edges(result, {edge.get("id") for edge in result["edges"]} - set(edges))
    known_edges = {edge.get("id") for edge in result["edges"]}
    new_edges = []
    for edge_id, (source, target) in edges.items():
        if edge_id not in known_edges and source in positions and target in positions:
            result, _ = connect(result, source=source, target=target, edge_id=edge_id)
            new_edges.append(edge_id)
    return CanvasSync(
        document=result,
        new_edges=tuple(new_edges),
        changed=_canonical(result) != _canonical(document),
    )


def node_handles(document: Document, node_id: str) -> tuple[str, ...]:
    """Every handle an edge may leave ``node_id`` from (fixed ones when its params are invalid)."""
    node = _find(document.get("nodes", []), node_id, "node")
    kind = CATALOG.get(node.get("type", ""))
    if kind is None:
        return (DEFAULT_HANDLE,)
    params = _parse_params(kind, node.get("params", {}))
    if params is None:
        return kind.fixed_handles + ((ERROR_HANDLE,) if kind.can_fail else ())
    return kind.handles(params)


def default_handle(document: Document, source: str) -> str:
    """The first required handle of ``source`` without an edge yet, else its first handle."""
    node = _find(document.get("nodes", []), source, "node")
    kind = CATALOG.get(node.get("type", ""))
    if kind is None:
        return DEFAULT_HANDLE
    params = _parse_params(kind, node.get("params", {}))
    required = kind.required_handles(params) if params is not None else kind.fixed_handles
    used = {
        edge.get("handle") for edge in document.get("edges", []) if edge.get("source") == source
    }
    for handle in required:
        if handle not in used or handle in kind.multi_handles:
            return handle
    handles = node_handles(document, source)
    return handles[0] if handles else DEFAULT_HANDLE


@dataclass(frozen=True)
class History:
    """Undo and redo over whole documents, keeping at most ``limit`` steps back.

    Documents are stored as JSON text, so no caller can change a stored step by accident.
    """

    past: tuple[str, ...]
    present: str
    future: tuple[str, ...] = ()
    limit: int = field(default=DEFAULT_HISTORY_LIMIT)

    @classmethod
    def start(cls, document: Document, *, limit: int = DEFAULT_HISTORY_LIMIT) -> History:
        """A history whose only step is ``document``."""
        return cls(past=(), present=_canonical(document), limit=limit)

    @property
    def document(self) -> Document:
        """A fresh copy of the current document."""
        return json.loads(self.present)

    @property
    def can_undo(self) -> bool:
        """Whether there is a step to go back to."""
        return bool(self.past)

    @property
    def can_redo(self) -> bool:
        """Whether an undone step can be redone."""
        return bool(self.future)

    def push(self, document: Document) -> History:
        """Record ``document`` as the new present; drops the redo steps. No-op if unchanged."""
        text = _canonical(document)
        if text == self.present:
            return self
        past = (*self.past, self.present)[-self.limit :]
        return History(past=past, present=text, future=(), limit=self.limit)

    def undo(self) -> History:
        """Go one step back (unchanged when there is none)."""
        if not self.past:
            return self
        return History(
            past=self.past[:-1],
            present=self.past[-1],
            future=(self.present, *self.future),
            limit=self.limit,
        )

    def redo(self) -> History:
        """Go one undone step forward (unchanged when there is none)."""
        if not self.future:
            return self
        return History(
            past=(*self.past, self.present),
            present=self.future[0],
            future=self.future[1:],
            limit=self.limit,
        )


def _canonical(document: Document) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _parse_params(kind: NodeKind, params: Any) -> Any:
    try:
        return kind.params_model.model_validate(params)
    except ValidationError:
        return None


def _find(items: list[dict[str, Any]], item_id: str, what: str) -> dict[str, Any]:
    for item in items:
        if item.get("id") == item_id:
            return item
    raise EditError(f"{what} {item_id!r} does not exist")


def _fresh_id(prefix: str, taken: set[Any], *, separator: str = "_") -> str:
    stem = re.sub(r"[^A-Za-z0-9_]", "_", prefix)
    number = 1
    while f"{stem}{separator}{number}" in taken:
        number += 1
    return f"{stem}{separator}{number}"


def _position(node: Mapping[str, Any]) -> tuple[float, float]:
    position = node.get("position") or {}
    return (position.get("x", 0), position.get("y", 0))


def _free_spot(nodes: list[dict[str, Any]], near: str | None) -> tuple[float, float]:
    anchor = next((node for node in nodes if node.get("id") == near), None)
    occupied = {_position(node) for node in nodes}
    if anchor is not None:
        x, y = _position(anchor)
        x += PLACEMENT_OFFSET[0]
    else:
        x = max((_position(node)[0] for node in nodes), default=-PLACEMENT_OFFSET[0])
        x += PLACEMENT_OFFSET[0]
        y = 0
    # Step down until the spot is clear, so two nodes added in a row do not overlap.
    while any(abs(x - ox) < 150 and abs(y - oy) < 60 for ox, oy in occupied):
        y += 100
    return (x, y)
