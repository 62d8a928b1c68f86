"""Rules of loops beyond their params: where break and continue nodes may stand (in the body of
a loop that runs its iterations one after another), and which loops continue as new."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from core.graph.analysis import EXIT, FlowAnalysis, continue_node
from core.nodes.kind import NodeKind

#: A problem found: (node id, field, message), reported against that node.
NodeProblem = tuple[str, str, str]


def loop_exit_problems(kinds: Mapping[str, NodeKind], flow: FlowAnalysis) -> Iterator[NodeProblem]:
    """Break and continue nodes outside any loop body, or whose innermost loop cannot be left
    so (a parallel for-each: its iterations run at once)."""
    for node_id, kind in sorted(kinds.items()):
        if not kind.inside_loop_only or node_id not in flow.order:
            continue
        loops = [loop for loop, body in flow.loop_bodies.items() if node_id in body]
        what = kind.title.lower()
        if not loops:
            yield (
                node_id,
                "edges",
                f"a {what} node must stand inside a loop's body (reached from a for-each or "
                "while loop's body output); here no loop is around it",
            )
            continue
        # The innermost loop is the one with the smallest body: bodies of nested loops nest.
        innermost = min(loops, key=lambda loop: len(flow.loop_bodies[loop]))
        loop_kind = kinds.get(innermost)
        if loop_kind is not None and not loop_kind.loop_statement:
            yield (
                node_id,
                "edges",
                f"a {what} node cannot stand in the body of {loop_kind.title.lower()} "
                f"{innermost!r} (its iterations do not run one after another)",
            )


def continuing_loops(kinds: Mapping[str, NodeKind], flow: FlowAnalysis) -> frozenset[str]:
    """Loops whose code continues the run as new when its history fills: those of a kind that
    can, on the run's main path (the nodes the start's block goes on to, as the compiler emits
    it: each node's merge, a loop's ``done`` target), where no branch, body or parallel branch
    is open (``core.nodes.kinds.while_loop.on_main_path``)."""
    found: set[str] = set()
    current = flow.order[0] if flow.order else EXIT
    while current != EXIT:
        kind = kinds.get(current)
        if kind is not None and kind.role == "loop":
            if kind.continues_as_new:
                found.add(current)
            current = next(
                (
                    e.target
                    for e in flow.successors.get(continue_node(current), ())
                    if e.handle == "done"
                ),
                EXIT,
            )
        else:
            current = flow.ipdom.get(current, EXIT)
    return frozenset(found)
