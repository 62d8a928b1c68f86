"""Control-flow analysis of a graph: loop bodies, a cycle-free flow graph, post-dominators.

Validation uses it to find cycles outside loop bodies and to check that parallel branches meet;
the compiler uses the immediate post-dominator of a branching node as the place where its
branches merge, which is what lets it emit structured ``if``/``try``/``for`` code.

The flow graph is the drawn graph with each loop's back edges redirected to a virtual
*continue* node (``#continue:<loop id>``) that leads on to the loop's ``done`` target, and
every end node leading to the virtual :data:`EXIT`. Drawn cycles through a loop body thereby
become forward edges, and the flow graph is acyclic exactly when the drawing has no other cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from core.graph.model import Edge, Graph

#: What a node is to the control flow (each node kind declares its own, see core.nodes.kind):
#: a plain step, or one of the kinds the analysis, validation and emission treat by structure
#: (``end``: the run ends there, by returning or by failing).
Role = Literal["step", "start", "end", "loop", "parallel", "join", "leave"]

EXIT = "#exit"
SKIP_HANDLE = "#skip"
"""Handle of the flow edge from a loop to its continue node: the case of zero iterations."""


_CONTINUE = "#continue:"


def continue_node(loop_id: str) -> str:
    """Id of the virtual node where an iteration of ``loop_id`` ends."""
    return f"{_CONTINUE}{loop_id}"


def loop_of(flow_node: str) -> str | None:
    """The loop whose continue node ``flow_node`` is, or None for any other node."""
    return flow_node.removeprefix(_CONTINUE) if flow_node.startswith(_CONTINUE) else None


@dataclass(frozen=True)
class FlowEdge:
    """An edge of the flow graph; ``edge`` is the drawn edge it stands for, if any."""

    source: str
    target: str
    handle: str
    edge: Edge | None = None


@dataclass(frozen=True)
class FlowAnalysis:
    """What :func:`analyse` finds out about a graph's control flow."""

    successors: Mapping[str, tuple[FlowEdge, ...]]
    predecessors: Mapping[str, tuple[FlowEdge, ...]]
    #: Loop id -> the ids of the nodes of its body.
    loop_bodies: Mapping[str, frozenset[str]]
    #: Ids of the drawn edges that return from a loop body to its loop node.
    back_edges: frozenset[str]
    #: Nodes reachable from the start in topological order of the flow graph (virtual ones too).
    order: tuple[str, ...]
    #: Drawn edges that close a cycle outside any loop body.
    cycle_edges: tuple[Edge, ...]
    #: Flow node -> its immediate post-dominator (EXIT at the top); absent where no path exits.
    ipdom: Mapping[str, str]

    def reaches_exit(self, node_id: str) -> bool:
        """Whether some path from ``node_id`` reaches an end node."""
        return node_id in self.ipdom or node_id == EXIT


def analyse(
    graph: Graph,
    *,
    start: str,
    loops: Iterable[str],
    ends: Iterable[str],
    leaves: Iterable[str] = (),
) -> FlowAnalysis:
    """Analyse the control flow from ``start``.

    Args:
        graph: the graph; edges to unknown nodes must already be left out of it.
        start: id of the start node.
        loops: ids of the loop nodes.
        ends: ids of the end nodes.
        leaves: ids of the nodes that end an iteration or the loop itself (break, continue):
            each leads to the continue node of its innermost loop (to the exit, outside any).
    """
    loop_ids = set(loops)
    bodies = {loop: _loop_body(graph, loop) for loop in loop_ids}
    back_edges = {
        edge.id
        for loop, body in bodies.items()
        for edge in graph.incoming(loop)
        if edge.source in body
    }
    successors: dict[str, list[FlowEdge]] = {}
    for edge in graph.edges:
        target = edge.target
        if edge.id in back_edges:
            target = continue_node(edge.target)
        if edge.source in loop_ids and edge.handle == "done":
            source = continue_node(edge.source)
        else:
            source = edge.source
        successors.setdefault(source, []).append(FlowEdge(source, target, edge.handle, edge))
    for loop in loop_ids:
        successors.setdefault(loop, []).append(FlowEdge(loop, continue_node(loop), SKIP_HANDLE))
    for end in ends:
        successors.setdefault(end, []).append(FlowEdge(end, EXIT, "#end"))
    for leave in leaves:
        around = [loop for loop, body in bodies.items() if leave in body]
        # Bodies of nested loops nest: the innermost loop's is the smallest.
        innermost = min(around, key=lambda loop: len(bodies[loop]), default=None)
        target = EXIT if innermost is None else continue_node(innermost)
        successors.setdefault(leave, []).append(FlowEdge(leave, target, "#leave"))
    frozen = {node: tuple(flow) for node, flow in successors.items()}
    predecessors: dict[str, list[FlowEdge]] = {}
    for flow in frozen.values():
        for flow_edge in flow:
            predecessors.setdefault(flow_edge.target, []).append(flow_edge)
    order, cycle_edges = _topological_order(frozen, start)
    return FlowAnalysis(
        successors=frozen,
        predecessors={node: tuple(flow) for node, flow in predecessors.items()},
        loop_bodies={loop: frozenset(body) for loop, body in bodies.items()},
        back_edges=frozenset(back_edges),
        order=order,
        cycle_edges=cycle_edges,
        ipdom=_post_dominators(frozen, order) if not cycle_edges else {},
    )


def reachable(
    successors: Mapping[str, Iterable[FlowEdge]], roots: Iterable[str], *, stop: str | None = None
) -> set[str]:
    """Flow nodes reachable from ``roots`` (the roots included), not going on past ``stop``."""
    seen = set(roots)
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        if node == stop:
            continue
        for flow_edge in successors.get(node, ()):
            if flow_edge.target not in seen:
                seen.add(flow_edge.target)
                queue.append(flow_edge.target)
    return seen


def _loop_body(graph: Graph, loop: str) -> set[str]:
    """Nodes reachable from the loop's body edges without passing through the loop itself."""
    body: set[str] = set()
    queue = deque(edge.target for edge in graph.outgoing(loop) if edge.handle == "body")
    while queue:
        node = queue.popleft()
        if node == loop or node in body:
            continue
        body.add(node)
        queue.extend(edge.target for edge in graph.outgoing(node))
    return body


def _topological_order(
    successors: Mapping[str, tuple[FlowEdge, ...]], start: str
) -> tuple[tuple[str, ...], tuple[Edge, ...]]:
    """Kahn's algorithm over the part reachable from ``start``; leftovers lie on cycles."""
    nodes = reachable(successors, [start])
    indegree = dict.fromkeys(nodes, 0)
    for node in nodes:
        for flow_edge in successors.get(node, ()):
            indegree[flow_edge.target] += 1
    queue = deque(node for node in nodes if indegree[node] == 0)
    order: list[str] = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for flow_edge in successors.get(node, ()):
            indegree[flow_edge.target] -= 1
            if indegree[flow_edge.target] == 0:
                queue.append(flow_edge.target)
    stuck = nodes - set(order)
    cycle_edges = tuple(
        flow_edge.edge
        for node in sorted(stuck)
        for flow_edge in successors.get(node, ())
        if flow_edge.target in stuck and flow_edge.edge is not None
    )
    return tuple(order), cycle_edges


def _post_dominators(
    successors: Mapping[str, tuple[FlowEdge, ...]], order: tuple[str, ...]
) -> dict[str, str]:
    """Immediate post-dominators on an acyclic flow graph, in one reverse topological pass.

    A node's immediate post-dominator is the nearest common post-dominator of its successors
    (Cooper, Harvey and Kennedy's ``intersect``, walking up by topological rank). Successors
    from which no path exits are ignored; nodes with no such successor get no entry.
    """
    rank = {node: index for index, node in enumerate(order)}
    rank[EXIT] = len(order)
    ipdom: dict[str, str] = {}
    for node in reversed(order):
        if node == EXIT:
            continue
        candidate: str | None = None
        for flow_edge in successors.get(node, ()):
            target = flow_edge.target
            if target != EXIT and target not in ipdom:
                continue
            candidate = target if candidate is None else _intersect(candidate, target, ipdom, rank)
        if candidate is not None:
            ipdom[node] = candidate
    return ipdom


def _intersect(a: str, b: str, ipdom: Mapping[str, str], rank: Mapping[str, int]) -> str:
    while a != b:
        while rank[a] < rank[b]:
            a = ipdom[a]
        while rank[b] < rank[a]:
            b = ipdom[b]
    return a
