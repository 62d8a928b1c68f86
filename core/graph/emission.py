"""What structured code emission would make of a graph: copies per node, and jumps it cannot
express. Validation checks both, so a graph it accepts is one the compiler can emit.

The compiler emits each branch of a branching node as its own block up to the place where the
branches merge (the immediate post-dominator); a node two branches reach before they merge is
emitted in each. Graphs whose branches meet only at the end can so ask for exponentially many
copies (2^30 for thirty conditions in a row). A block may end only where its structure ends
(the merge it was opened for, or the end of the innermost loop's iteration): a branch that
leads elsewhere, say from an inner loop's body past an outer loop, is a jump the nested
``if``/``for`` code cannot make. This walks the blocks by the same rules as
``core.compiler.structure.StructuredEmitter`` (a test holds the counts equal) without emitting
anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from core.graph.analysis import EXIT, FlowAnalysis, Role, continue_node, loop_of

#: A graph may emit at most this many node steps per node it has.
MAX_EXPANSION = 20


@dataclass(frozen=True)
class _Block:
    """A block: where it starts, where it stops, where it may end, the innermost loop's end."""

    start: str
    stops: frozenset[str]
    fallthrough: str
    loop_end: str | None


@dataclass(frozen=True)
class Emission:
    """The outcome: how often each node is emitted, and the nodes flow jumps to illegally."""

    copies: Counter[str]
    #: Flow nodes a block reaches where its structure does not end (virtual continue nodes
    #: named by their loop).
    jumps: frozenset[str]


class _Walker:
    def __init__(self, flow: FlowAnalysis, roles: Mapping[str, Role]) -> None:
        self.flow = flow
        self.roles = roles
        self.jumps: set[str] = set()
        # Block -> (nodes it emits in order, the blocks it opens), each computed once.
        self.blocks: dict[_Block, tuple[tuple[str, ...], tuple[_Block, ...]]] = {}

    def block(self, block: _Block) -> tuple[tuple[str, ...], tuple[_Block, ...]]:
        known = self.blocks.get(block)
        if known is not None:
            return known
        emitted: list[str] = []
        opened: list[_Block] = []
        current: str | None = block.start
        while current is not None:
            if current in block.stops or current == EXIT or loop_of(current) is not None:
                if current not in (block.fallthrough, block.loop_end):
                    self.jumps.add(loop_of(current) or current)
                break
            emitted.append(current)
            current = self._step(current, block, opened)
        self.blocks[block] = result = (tuple(emitted), tuple(opened))
        return result

    def _step(self, node_id: str, block: _Block, opened: list[_Block]) -> str | None:
        """The blocks a node opens (into ``opened``) and the node emission goes on from."""
        role = self.roles.get(node_id)
        successors = self.flow.successors.get(node_id, ())
        if role in ("end", "leave"):
            return None
        if role == "loop":
            end = continue_node(node_id)
            body = next(edge.target for edge in successors if edge.handle == "body")
            opened.append(_Block(body, frozenset({end}), end, end))
            return self._target(end, "done")
        if role == "parallel":
            join = self.flow.ipdom[node_id]
            opened.extend(
                _Block(edge.target, block.stops | {join}, join, None) for edge in successors
            )
            return join
        handles = list(dict.fromkeys(edge.handle for edge in successors))
        if len(handles) == 1:
            return self._target(node_id, handles[0])
        merge = self.flow.ipdom.get(node_id, EXIT)
        ends_inside = merge == EXIT or merge in block.stops
        fallthrough = block.fallthrough if ends_inside else merge
        opened.extend(
            _Block(
                self._target(node_id, handle), block.stops | {merge}, fallthrough, block.loop_end
            )
            for handle in handles
        )
        return None if ends_inside else merge

    def _target(self, node_id: str, handle: str) -> str:
        return next(e.target for e in self.flow.successors[node_id] if e.handle == handle)


def emission(flow: FlowAnalysis, roles: Mapping[str, Role], start: str) -> Emission:
    """Walk a graph's blocks as the compiler would emit them.

    Args:
        flow: the analysis of a graph without cycles, every required output connected.
        roles: node id -> its kind's flow role, for every node in the flow.
        start: the start node.
    """
    walker = _Walker(flow, roles)
    root = _Block(start, frozenset(), EXIT, None)
    # Blocks form a DAG; count how often each is entered, in an order where every block comes
    # after all that open it (reverse post-order of a depth-first walk).
    order: list[_Block] = []
    seen: set[_Block] = set()
    stack: list[tuple[_Block, bool]] = [(root, False)]
    while stack:
        block, done = stack.pop()
        if done:
            order.append(block)
            continue
        if block in seen:
            continue
        seen.add(block)
        stack.append((block, True))
        stack.extend((child, False) for child in walker.block(block)[1] if child not in seen)
    entered: Counter[_Block] = Counter({root: 1})
    copies: Counter[str] = Counter()
    for block in reversed(order):
        times = entered[block]
        emitted, opened = walker.block(block)
        for node_id in emitted:
            copies[node_id] += times
        for child in opened:
            entered[child] += times
    return Emission(copies=copies, jumps=frozenset(walker.jumps))
