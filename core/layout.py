"""Automatic layout of a graph document: layers left to right along the edges from the start."""

from __future__ import annotations

import copy
from typing import Any

#: Horizontal distance between layers and vertical distance between nodes of one layer: the
#: canvas's 150 px boxes with room for an edge label between them, close enough that a graph
#: of a dozen layers stays legible when fitted to a laptop screen's canvas.
LAYER_GAP = 210
ROW_GAP = 90


def layered_positions(document: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Positions that put each node one layer right of all its predecessors.

    Layers are longest paths from the nodes nobody points to (the start node first), over the
    edges that remain once loops' back edges are set aside, so a loop body does not push its
    loop node to the right. Nodes no root reaches (only on a cycle) go in a last layer.

    Args:
        document: a graph document (``nodes`` and ``edges`` are read, nothing else).

    Returns:
        node id -> (x, y), for every node with an id.
    """
    nodes = [node for node in document.get("nodes", []) if isinstance(node.get("id"), str)]
    ids = [node["id"] for node in nodes]
    known = set(ids)
    successors: dict[str, list[str]] = {node_id: [] for node_id in ids}
    has_incoming: set[str] = set()
    for edge in document.get("edges", []):
        source, target = edge.get("source"), edge.get("target")
        if source in known and target in known and source != target:
            successors[source].append(target)
            has_incoming.add(target)
    starts = [node["id"] for node in nodes if node.get("type") == "start"]
    roots = starts + [i for i in ids if i not in has_incoming and i not in starts]
    order = _reverse_postorder(roots, successors)
    position_in_order = {node_id: index for index, node_id in enumerate(order)}
    layer = {root: 0 for root in roots}
    for node_id in order:
        for target in successors[node_id]:
            # A target earlier in the order closes a cycle (a back edge); it does not push.
            if position_in_order[target] > position_in_order[node_id]:
                layer[target] = max(layer.get(target, 0), layer.get(node_id, 0) + 1)
    last = max(layer.values(), default=-1) + 1
    rows: dict[int, int] = {}
    positions: dict[str, tuple[int, int]] = {}
    for node_id in ids:
        column = layer.get(node_id, last) if node_id in position_in_order else last
        row = rows.get(column, 0)
        rows[column] = row + 1
        positions[node_id] = (column * LAYER_GAP, row * ROW_GAP)
    return positions


def _reverse_postorder(roots: list[str], successors: dict[str, list[str]]) -> list[str]:
    """Depth-first reverse postorder from ``roots``: every edge not closing a cycle goes forward."""
    seen: set[str] = set()
    postorder: list[str] = []
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        # An explicit stack: 10,000-node chains would overflow Python's recursion limit.
        stack = [(root, iter(successors[root]))]
        while stack:
            node_id, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                postorder.append(node_id)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(successors[child])))
    return postorder[::-1]


def auto_layout(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with every node moved to its :func:`layered_positions` spot."""
    positions = layered_positions(document)
    result = copy.deepcopy(document)
    for node in result.get("nodes", []):
        if node.get("id") in positions:
            x, y = positions[node["id"]]
            node["position"] = {"x": x, "y": y}
    return result
