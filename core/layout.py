"""Automatic layout of a graph document: layers left to right along the edges from the start."""

from __future__ import annotations

import copy
from collections import deque
from typing import Any

#: Horizontal distance between layers and vertical distance between nodes of one layer.
LAYER_GAP = 260
ROW_GAP = 110


def layered_positions(document: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Positions that put each node one layer right of its earliest predecessor.

    Layers come from a breadth-first walk from the nodes nobody points to (the start node
    first), so loops' back edges do not push nodes further right. Nodes the walk does not
    reach (unconnected ones) go in a last layer of their own.

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
    roots = starts + [
        node_id for node_id in ids if node_id not in has_incoming and node_id not in starts
    ]
    layer: dict[str, int] = {}
    queue = deque()
    for root in roots:
        if root not in layer:
            layer[root] = 0
            queue.append(root)
    while queue:
        current = queue.popleft()
        for target in successors[current]:
            if target not in layer:
                layer[target] = layer[current] + 1
                queue.append(target)
    last = max(layer.values(), default=-1) + 1
    rows: dict[int, int] = {}
    positions: dict[str, tuple[int, int]] = {}
    for node_id in ids:
        column = layer.get(node_id, last)
        row = rows.get(column, 0)
        rows[column] = row + 1
        positions[node_id] = (column * LAYER_GAP, row * ROW_GAP)
    return positions


def auto_layout(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with every node moved to its :func:`layered_positions` spot."""
    positions = layered_positions(document)
    result = copy.deepcopy(document)
    for node in result.get("nodes", []):
        if node.get("id") in positions:
            x, y = positions[node["id"]]
            node["position"] = {"x": x, "y": y}
    return result
