"""Rules of a parallel for-each's body, whose iterations run at once on copies of the variables."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

from core.graph.analysis import FlowAnalysis
from core.graph.model import Graph
from core.nodes.kind import NodeKind, Params

#: A problem found: (node id, field, message), reported against that node.
NodeProblem = tuple[str, str, str]


def isolated_body_problems(
    graph: Graph,
    kinds: Mapping[str, NodeKind],
    params: Mapping[str, Params],
    flow: FlowAnalysis,
) -> Iterator[NodeProblem]:
    """What the body of each parallel for-each may not do: end the run (an iteration is one of
    many), or set a variable that a node, signal or workflow update sets outside it (each
    iteration keeps what it sets, so the change would never reach the rest of the run; only
    collected values come out)."""
    for loop, body in sorted(flow.loop_bodies.items()):
        kind = kinds.get(loop)
        if kind is None or not kind.isolated_body:
            continue
        for node_id in sorted(body):
            if node_id in kinds and kinds[node_id].role == "end":
                yield (
                    node_id,
                    "edges",
                    f"this node ends the run inside the body of parallel for-each {loop!r}; an "
                    "iteration cannot end the run: lead the body back to the loop and end after "
                    "its done output",
                )
        outside = _set_by(graph, kinds, params, set(kinds) - body - {loop})
        for signal in graph.workflow.signals:
            for update in signal.updates:
                outside.setdefault(update.variable, f"signal {signal.name!r}")
        for request in graph.workflow.updates:
            for update in request.updates:
                outside.setdefault(update.variable, f"workflow update {request.name!r}")
        loop_params = params.get(loop)
        result = getattr(loop_params, "result_variable", None)
        if result:
            outside.setdefault(result, f"node {loop!r} (its result)")
        for node_id, variables in sorted(_set_by_node(graph, kinds, params, body).items()):
            for variable in variables:
                if variable in outside:
                    yield (
                        node_id,
                        "params",
                        f"sets variable {variable!r}, which {outside[variable]} also sets outside "
                        f"the body of parallel for-each {loop!r}; what an iteration sets stays "
                        "its own, so the change would not reach past the loop: use another name "
                        "here and bring values out with collect",
                    )


def _set_by_node(
    graph: Graph,
    kinds: Mapping[str, NodeKind],
    params: Mapping[str, Params],
    nodes: Collection[str],
) -> dict[str, list[str]]:
    """The variables each of ``nodes`` sets when left through an output that has an edge (an
    activity sets its error variable only when its ``error`` edge is drawn), but for loops'
    item variables."""
    found: dict[str, list[str]] = {}
    for node_id in nodes:
        kind, node_params = kinds.get(node_id), params.get(node_id)
        if kind is None or node_params is None:
            continue
        handles = dict.fromkeys(edge.handle for edge in graph.outgoing(node_id))
        if kind.role == "loop":
            # A loop's item variable is read in its own body only: no write of it is lost.
            handles.pop("body", None)
        names = [name for handle in handles for name in kind.defines(node_params, handle)]
        if names:
            found[node_id] = list(dict.fromkeys(names))
    return found


def _set_by(
    graph: Graph,
    kinds: Mapping[str, NodeKind],
    params: Mapping[str, Params],
    nodes: Collection[str],
) -> dict[str, str]:
    """Variable -> ``node '<id>'`` of the first of ``nodes`` (by id) that sets it."""
    found: dict[str, str] = {}
    for node_id, variables in sorted(_set_by_node(graph, kinds, params, nodes).items()):
        for variable in variables:
            found.setdefault(variable, f"node {node_id!r}")
    return found
