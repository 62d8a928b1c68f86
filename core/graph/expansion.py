"""How many times structured code emission repeats each node (paths that meet only late).

The compiler emits each branch of a branching node as its own block up to the place where the
branches merge (the immediate post-dominator); a node two branches reach before they merge is
emitted in each. Graphs whose branches meet only at the end can so ask for exponentially many
copies (2^30 for thirty conditions in a row). This counts the copies without emitting anything,
by the same rules as ``core.compiler.structure.StructuredEmitter`` (a test holds them equal),
so validation can refuse such a graph before the compiler would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from core.graph.analysis import EXIT, FlowAnalysis, continue_node, loop_of

#: A graph may emit at most this many node steps per node it has.
MAX_EXPANSION = 20

_State = tuple[str, frozenset[str]]  # a block: its first node and where it stops


class _Counter:
    def __init__(self, flow: FlowAnalysis, types: Mapping[str, str]) -> None:
        self.flow = flow
        self.types = types
        # State -> (nodes it emits in order, the blocks it opens), each computed once.
        self.blocks: dict[_State, tuple[tuple[str, ...], tuple[_State, ...]]] = {}

    def block(self, state: _State) -> tuple[tuple[str, ...], tuple[_State, ...]]:
        known = self.blocks.get(state)
        if known is not None:
            return known
        node_id, stops = state
        emitted: list[str] = []
        opened: list[_State] = []
        current: str | None = node_id
        while current is not None:
            if current in stops or current == EXIT or loop_of(current) is not None:
                break
            emitted.append(current)
            current = self._step(current, stops, opened)
        self.blocks[state] = result = (tuple(emitted), tuple(opened))
        return result

    def _step(self, node_id: str, stops: frozenset[str], opened: list[_State]) -> str | None:
        """The blocks a node opens (into ``opened``) and the node emission goes on from."""
        kind = self.types.get(node_id)
        successors = self.flow.successors.get(node_id, ())
        if kind == "end":
            return None
        if kind == "loop":
            body = next(edge.target for edge in successors if edge.handle == "body")
            opened.append((body, frozenset({continue_node(node_id)})))
            return self._target(continue_node(node_id), "done")
        if kind == "parallel":
            join = self.flow.ipdom[node_id]
            opened.extend((edge.target, stops | {join}) for edge in successors)
            return join
        handles = list(dict.fromkeys(edge.handle for edge in successors))
        if len(handles) == 1:
            return self._target(node_id, handles[0])
        merge = self.flow.ipdom.get(node_id, EXIT)
        opened.extend((self._target(node_id, handle), stops | {merge}) for handle in handles)
        return None if merge == EXIT or merge in stops else merge

    def _target(self, node_id: str, handle: str) -> str:
        return next(e.target for e in self.flow.successors[node_id] if e.handle == handle)


def emitted_copies(flow: FlowAnalysis, types: Mapping[str, str], start: str) -> Counter[str]:
    """How many times the compiler emits each node of a valid graph's flow.

    Args:
        flow: the analysis of a graph without cycles, every required output connected.
        types: node id -> node type, for every node in the flow.
        start: the start node.
    """
    counter = _Counter(flow, types)
    root: _State = (start, frozenset())
    # Blocks form a DAG; count how often each is entered, in an order where every block comes
    # after all that open it (reverse post-order of a depth-first walk).
    order: list[_State] = []
    seen: set[_State] = set()
    stack: list[tuple[_State, bool]] = [(root, False)]
    while stack:
        state, done = stack.pop()
        if done:
            order.append(state)
            continue
        if state in seen:
            continue
        seen.add(state)
        stack.append((state, True))
        stack.extend((child, False) for child in counter.block(state)[1] if child not in seen)
    entered: Counter[_State] = Counter({root: 1})
    copies: Counter[str] = Counter()
    for state in reversed(order):
        times = entered[state]
        emitted, opened = counter.block(state)
        for node_id in emitted:
            copies[node_id] += times
        for child in opened:
            entered[child] += times
    return copies
