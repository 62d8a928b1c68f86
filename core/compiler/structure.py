"""Structured emission: the flow graph of a checked graph as nested ``if``/``try``/``for`` code.

A block is emitted from a node until it reaches a stop. A branching node's branches are
blocks that stop at its immediate post-dominator (where they merge), after which emission
goes on from there. A node that two branches reach before they merge is emitted in each
(right for a DAG; validation bounds the copies, see ``core.graph.emission``). Reaching the
continue node of the innermost loop anywhere but at the end of its body becomes ``continue``
(``return`` in a parallel for-each, whose iterations are calls).
Each node's own code comes from its kind's emitter (``core.nodes.kinds``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from core.activities import ActivityRegistry
from core.codegen.blocks import Place
from core.codegen.children import ChildTarget
from core.codegen.errors import CompileError
from core.codegen.naming import LocalNames
from core.codegen.retry_policies import RetryPolicies
from core.codegen.steps import step_marker
from core.graph.analysis import EXIT, FlowEdge, loop_of
from core.graph.model import DEFAULT_HANDLE
from core.nodes.catalog import CATALOG
from core.validation import CheckedGraph


class StructuredEmitter:
    """Emits the body of the workflow's ``run`` method from a checked graph."""

    def __init__(
        self,
        checked: CheckedGraph,
        *,
        registry: ActivityRegistry,
        children: Mapping[str, ChildTarget],
        names: LocalNames,
    ) -> None:
        if checked.flow is None:
            raise CompileError("the graph has no control flow analysis (is it valid?)")
        self.checked = checked
        self.graph = checked.graph
        self.flow = checked.flow
        self.registry = registry
        self.children = children
        self.names = names
        self.retry_policies = RetryPolicies()
        self.emitted = 0

    def run_body(self) -> list[ast.stmt]:
        """The statements of ``run`` after the input is prepared."""
        start = Place(stops=frozenset(), fallthrough=EXIT, loops=())
        return self.block(self.checked.start, start)

    # -- blocks ------------------------------------------------------------------------------
    def block(self, node_id: str, place: Place) -> list[ast.stmt]:
        """Statements from ``node_id`` (the first flow node of the block) until a stop."""
        emitted: list[ast.stmt] = []
        current: str | None = node_id
        while current is not None:
            if current in place.stops or current == EXIT or loop_of(current) is not None:
                emitted.extend(self._leave(current, place))
                break
            current = self._node(current, emitted, place)
        return emitted

    def _leave(self, stop: str, place: Place) -> list[ast.stmt]:
        """What reaching ``stop`` means where the block ends: nothing, or ``continue``."""
        if stop == place.fallthrough:
            return []
        if place.loops and stop == place.loops[-1].continue_id:
            frame = place.loops[-1]
            return [*frame.collect] if frame.in_function else [*frame.collect, ast.Continue()]
        raise CompileError(
            "the flow jumps out of a nested structure (for example from an inner loop's body to "
            "an outer loop); restructure the graph so branches meet before leaving it",
            subject=f"node {loop_of(stop) or stop!r}",
        )

    def merge(self, node_id: str, place: Place) -> tuple[str | None, Place]:
        """Where a branching node's branches meet: the node to go on from (None: every branch
        ends by itself), and the place its branches are emitted in."""
        merge = self.flow.ipdom.get(node_id, EXIT)
        if merge == EXIT or merge in place.stops:
            # Every branch ends by itself (return, continue) or at an enclosing stop.
            return None, Place(place.stops | {merge}, place.fallthrough, place.loops)
        return merge, Place(place.stops | {merge}, merge, place.loops)

    def target(self, node_id: str, handle: str = DEFAULT_HANDLE) -> str:
        """The flow node an output of ``node_id`` leads to."""
        for flow_edge in self.flow.successors.get(node_id, ()):
            if flow_edge.handle == handle:
                return flow_edge.target
        raise CompileError(f"the {handle!r} output is not connected", subject=f"node {node_id!r}")

    def branches(self, node_id: str, handle: str) -> list[FlowEdge]:
        """The flow edges leaving ``node_id`` through ``handle``."""
        return [edge for edge in self.flow.successors.get(node_id, ()) if edge.handle == handle]

    # -- one node ----------------------------------------------------------------------------
    def _node(self, node_id: str, out: list[ast.stmt], place: Place) -> str | None:
        """Append the code of one node; return the flow node to go on from (None: none)."""
        # Validation refused graphs that would repeat steps too often, counting by these rules
        # (core.graph.emission); a test holds the count equal to this one.
        self.emitted += 1
        node = self.graph.node(node_id)
        assert node is not None, node_id  # the flow graph holds only drawn and virtual nodes
        kind = CATALOG.get(node.type)
        if kind is None:
            raise CompileError(
                f"no code generation for node type {node.type!r}", subject=f"node {node_id!r}"
            )
        if kind.marks_step:
            out.append(step_marker(node_id))
        return kind.emit(self, node, self.checked.params[node_id], place, out)
