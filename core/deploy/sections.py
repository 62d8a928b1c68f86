"""Generated ``workflow.py`` split into the statements of each graph node, to name changed nodes."""

from __future__ import annotations

import ast
import re

# The compiler marks where each node's statements begin: ``self.step = "<node id>"``.
_STEP = re.compile(r'^\s*self\.step = "(?P<node>[A-Za-z0-9_.:-]+)"\s*$')
#: The section of lines that belong to no node (imports, helpers, handlers).
SHARED = ""


def node_sections(source: str) -> dict[str, tuple[str, ...]]:
    """Map each node id to the lines of ``run`` that follow its step marker.

    Lines outside the workflow's ``run`` method, or before its first marker, go to
    :data:`SHARED`. A node whose statements appear in several places (a loop body, branches)
    gets all of them, in source order.
    """
    lines = source.splitlines()
    start, end = _run_lines(source)
    sections: dict[str, list[str]] = {SHARED: []}
    current = SHARED
    for number, line in enumerate(lines, start=1):
        if not start <= number <= end:
            sections[SHARED].append(line)
            continue
        match = _STEP.match(line)
        if match:
            current = match.group("node")
        sections.setdefault(current, []).append(line)
    return {node: tuple(text) for node, text in sections.items()}


def changed_nodes(old_source: str, new_source: str) -> tuple[str, ...]:
    """Ids of the nodes whose statements differ between two versions of ``workflow.py``.

    Nodes present in only one of them count as changed. :data:`SHARED` is left out: it is
    no node a user could look at.
    """
    old, new = node_sections(old_source), node_sections(new_source)
    return tuple(
        node
        for node in sorted(old.keys() | new.keys())
        if node != SHARED and old.get(node) != new.get(node)
    )


def _run_lines(source: str) -> tuple[int, int]:
    # The workflow's entry point is the only method called "run" in generated code.
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.AsyncFunctionDef) and node.name == "run":
            return node.lineno, node.end_lineno or node.lineno
    return 0, -1
