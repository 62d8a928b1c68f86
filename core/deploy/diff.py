"""What changed between two versions: nodes, edges and settings of the graph, and the code."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.compiler import BUNDLE_FILES, Bundle


@dataclass(frozen=True)
class FieldChange:
    """One value that differs: ``path`` like ``params.args.name`` or ``label``."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ItemChange:
    """A node or edge present in both versions with different fields."""

    id: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class GraphDiff:
    """Graph differences from version ``a`` to version ``b``.

    Attributes:
        workflow: changed workflow settings (description, task queue, signals, queries).
        nodes_added, nodes_removed: node ids only in ``b`` / only in ``a``.
        nodes_changed: nodes in both with changed fields (positions left out).
        edges_added, edges_removed, edges_changed: the same for edges.
    """

    workflow: tuple[FieldChange, ...]
    nodes_added: tuple[str, ...]
    nodes_removed: tuple[str, ...]
    nodes_changed: tuple[ItemChange, ...]
    edges_added: tuple[str, ...]
    edges_removed: tuple[str, ...]
    edges_changed: tuple[ItemChange, ...]

    @property
    def empty(self) -> bool:
        """True when the graphs behave the same (only positions may differ)."""
        return not any(
            (
                self.workflow,
                self.nodes_added,
                self.nodes_removed,
                self.nodes_changed,
                self.edges_added,
                self.edges_removed,
                self.edges_changed,
            )
        )


@dataclass(frozen=True)
class VersionDiff:
    """The graph diff and one unified diff per bundle file (empty text when equal)."""

    a: int
    b: int
    graph: GraphDiff
    code: Mapping[str, str]


def graph_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> GraphDiff:
    """Compare two canonical graph documents (``core.graph.graph_to_dict`` output)."""
    nodes_a, nodes_b = _by_id(a["nodes"]), _by_id(b["nodes"])
    edges_a, edges_b = _by_id(a["edges"]), _by_id(b["edges"])
    return GraphDiff(
        workflow=tuple(_changes(a["workflow"], b["workflow"], "")),
        nodes_added=tuple(sorted(nodes_b.keys() - nodes_a.keys())),
        nodes_removed=tuple(sorted(nodes_a.keys() - nodes_b.keys())),
        nodes_changed=_changed_items(nodes_a, nodes_b, ignore=("position",)),
        edges_added=tuple(sorted(edges_b.keys() - edges_a.keys())),
        edges_removed=tuple(sorted(edges_a.keys() - edges_b.keys())),
        edges_changed=_changed_items(edges_a, edges_b, ignore=()),
    )


def code_diff(a: Bundle, b: Bundle, *, label_a: str, label_b: str) -> dict[str, str]:
    """A unified diff of each bundle file, ``""`` for files that are equal."""
    return {
        name: "".join(
            difflib.unified_diff(
                a.files[name].splitlines(keepends=True),
                b.files[name].splitlines(keepends=True),
                fromfile=f"{label_a}/{name}",
                tofile=f"{label_b}/{name}",
            )
        )
        for name in BUNDLE_FILES
    }


def _by_id(items: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(item["id"]): item for item in items}


def _changed_items(
    old: Mapping[str, Mapping[str, Any]],
    new: Mapping[str, Mapping[str, Any]],
    *,
    ignore: tuple[str, ...],
) -> tuple[ItemChange, ...]:
    found = []
    for key in sorted(old.keys() & new.keys()):
        before = {k: v for k, v in old[key].items() if k not in ignore}
        after = {k: v for k, v in new[key].items() if k not in ignore}
        changes = _changes(before, after, "")
        if changes:
            found.append(ItemChange(id=key, changes=tuple(changes)))
    return tuple(found)


def _changes(old: Any, new: Any, path: str) -> list[FieldChange]:
    # Objects are compared key by key so a param change names its own path; lists and
    # scalars are compared whole.
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        changes = []
        for key in sorted(old.keys() | new.keys(), key=str):
            sub = f"{path}.{key}" if path else str(key)
            changes += _changes(old.get(key), new.get(key), sub)
        return changes
    return [] if old == new else [FieldChange(path=path, old=old, new=new)]
