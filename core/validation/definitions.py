"""Definite assignment: which workflow variables surely hold a value at each node."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.graph.analysis import FlowAnalysis, FlowEdge, continue_node, loop_of, reachable
from core.nodes.kind import NodeKind, Params


class DefinedVariables:
    """Which variables certainly hold a value where, by forward analysis of the flow graph."""

    def __init__(
        self, kinds: Mapping[str, NodeKind], params: Mapping[str, Params], flow: FlowAnalysis
    ) -> None:
        self.kinds = kinds
        self.params = params
        self.flow = flow
        start = next(n for n, k in kinds.items() if k.role == "start")
        start_params: Any = params.get(start)
        # Without readable start params the input fields are unknown: accept any field rather
        # than flag every use of the input (the start node's own problems are reported).
        self.input_fields: frozenset[str] | None = (
            frozenset(f.name for f in start_params.input_fields) if start_params else None
        )
        self.joins = {
            flow.ipdom[node_id]: node_id
            for node_id, kind in kinds.items()
            if kind.role == "parallel" and node_id in flow.ipdom
        }
        self._before: dict[str, frozenset[str]] = {}
        for node_id in flow.order:
            self._before[node_id] = self._compute_before(node_id)

    def before(self, node_id: str) -> frozenset[str]:
        """Variables set on every path that reaches ``node_id``."""
        return self._before[node_id]

    def at_iteration_end(self, loop_id: str) -> frozenset[str]:
        """Variables set at the end of every iteration of a loop (where ``collect`` runs)."""
        returning = [
            flow_edge
            for flow_edge in self.flow.predecessors.get(continue_node(loop_id), ())
            if flow_edge.source != loop_id
        ]
        return _intersection(self._leaving(flow_edge) for flow_edge in returning)

    def anywhere(self) -> frozenset[str]:
        """Every variable some node sets."""
        names: set[str] = set()
        for node_id, params in self.params.items():
            kind = self.kinds[node_id]
            for handle in kind.handles(params):
                names.update(kind.defines(params, handle))
        return frozenset(names)

    def _leaving(self, flow_edge: FlowEdge) -> frozenset[str]:
        source = flow_edge.source
        defined = self._before.get(source, frozenset())
        node_id, handle = source, flow_edge.handle
        loop = loop_of(source)
        if loop is not None:  # leaving a loop's continue node is leaving the loop by "done"
            node_id, handle = loop, "done"
        kind = self.kinds.get(node_id)
        params = self.params.get(node_id)
        if kind is not None and params is not None:
            defined |= frozenset(kind.defines(params, handle))
        return defined

    def _compute_before(self, node_id: str) -> frozenset[str]:
        incoming = self.flow.predecessors.get(node_id, ())
        if not incoming:
            return frozenset()
        parallel = self.joins.get(node_id)
        if parallel is None:
            return _intersection(self._leaving(flow_edge) for flow_edge in incoming)
        # Every branch of a parallel has finished at its join: what any branch surely set
        # is set. A branch is told apart by the nodes it reaches before the join.
        defined = set(self._before[parallel])
        for branch in self.flow.successors.get(parallel, ()):
            if branch.target == node_id:
                continue
            region = reachable(self.flow.successors, [branch.target], stop=node_id)
            defined |= _intersection(
                self._leaving(flow_edge) for flow_edge in incoming if flow_edge.source in region
            )
        return frozenset(defined)


def _intersection(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    result: frozenset[str] | None = None
    for item in sets:
        result = item if result is None else result & item
    return result or frozenset()
