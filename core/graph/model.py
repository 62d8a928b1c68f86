"""Typed, immutable values of a workflow graph (format ``workflow-builder/1``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

FORMAT = "workflow-builder/1"

#: Node and edge ids: what streamlit-flow generates (``st-flow-node_abc``) and what people type.
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
#: Workflow names become Temporal workflow type names (``order_approval_v3``).
WORKFLOW_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
#: Variables, input fields, signals and queries: plain identifiers without dunders.
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
#: Durations (timers, timeouts, the run timeout): numbers with units, ``1h30m``.
DURATION_PATTERN = r"^(?:\d+(?:ms|s|m|h|d))+$"

DEFAULT_HANDLE = "next"
ERROR_HANDLE = "error"


def freeze(value: Any) -> Any:
    """Make a JSON value deeply immutable: dicts become read-only mappings, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    return value


#: JSON leaves; checked first because ``isinstance(leaf, Mapping)`` is a slow ABC check.
_SCALARS = (str, int, float, type(None))


def thaw(value: Any) -> Any:
    """Inverse of :func:`freeze`: plain dicts and lists again, ready for ``json.dumps``."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [thaw(item) for item in value]
    return value


@dataclass(frozen=True)
class Position:
    """Where a node sits on the canvas."""

    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Node:
    """One step of a workflow. ``params`` stays raw JSON (frozen) so a draft with a bad param
    still loads and is saved as typed; the node catalog parses it into a typed model."""

    id: str
    type: str
    label: str = ""
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    position: Position = Position()


@dataclass(frozen=True)
class Edge:
    """A connection from ``source``'s ``handle`` to ``target``."""

    id: str
    source: str
    target: str
    handle: str = DEFAULT_HANDLE


@dataclass(frozen=True)
class InputField:
    """A field of the workflow input (declared on the start node) or of a signal payload."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = None
    description: str = ""


#: What a signal update does to its variable (see :class:`SignalUpdate`).
UPDATE_ACTIONS = ("set", "append", "merge")


@dataclass(frozen=True)
class SignalUpdate:
    """A change a signal makes to a workflow variable as it arrives.

    ``action`` is ``set`` (the variable takes the value), ``append`` (to a list, created when
    missing) or ``merge`` (an object's keys into an object, created when missing). The value is
    the payload field ``field``, else the literal ``value`` (``set`` only), else the whole
    payload; a ``value`` of None counts as none given.
    """

    variable: str
    action: str = "set"
    field: str | None = None
    value: Any = None


@dataclass(frozen=True)
class SignalDecl:
    """A signal the workflow accepts, with the fields of its payload and the variables it
    updates."""

    name: str
    description: str = ""
    fields: tuple[InputField, ...] = ()
    updates: tuple[SignalUpdate, ...] = ()


@dataclass(frozen=True)
class QueryDecl:
    """A query the workflow answers with an expression over its variables."""

    name: str
    expression: str
    description: str = ""


@dataclass(frozen=True)
class UpdateDecl:
    """A workflow update the workflow accepts: its input fields (read as ``args`` in its
    expressions), a ``validator`` expression that refuses the update (with ``refusal``, or a
    message naming the condition) when false, the variables it changes (as a signal's
    updates do) and a ``result`` expression returned to the caller (None: returns None)."""

    name: str
    description: str = ""
    fields: tuple[InputField, ...] = ()
    validator: str | None = None
    refusal: str = ""
    updates: tuple[SignalUpdate, ...] = ()
    result: str | None = None


@dataclass(frozen=True)
class WorkflowMeta:
    """Workflow-level settings: name (the Temporal type name), task queue, signals, queries,
    updates, and the longest a run may last (``run_timeout``, a duration such as ``"1h"``; None: the
    ``WB_DEFAULT_RUN_TIMEOUT`` setting)."""

    name: str
    description: str = ""
    task_queue: str | None = None
    run_timeout: str | None = None
    signals: tuple[SignalDecl, ...] = ()
    queries: tuple[QueryDecl, ...] = ()
    updates: tuple[UpdateDecl, ...] = ()

    @property
    def payload_handlers(self) -> tuple[SignalDecl | UpdateDecl, ...]:
        """The signals and updates: each takes a payload and may change variables."""
        return (*self.signals, *self.updates)


@dataclass(frozen=True)
class Graph:
    """A whole workflow graph, as loaded from or exported to ``workflow-builder/1`` JSON."""

    workflow: WorkflowMeta
    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()

    def node(self, node_id: str) -> Node | None:
        """The node with this id, or None (the first one if ids are duplicated)."""
        return self._nodes_by_id.get(node_id)

    def outgoing(self, node_id: str) -> tuple[Edge, ...]:
        """Edges leaving ``node_id``, in document order."""
        return self._edges_by_source.get(node_id, ())

    def incoming(self, node_id: str) -> tuple[Edge, ...]:
        """Edges entering ``node_id``, in document order."""
        return self._edges_by_target.get(node_id, ())

    # Indexes are built once per graph: validation and compilation of 10,000-node graphs look
    # edges up for every node, and a scan per lookup would make them quadratic.
    @cached_property
    def _nodes_by_id(self) -> dict[str, Node]:
        index: dict[str, Node] = {}
        for node in self.nodes:
            index.setdefault(node.id, node)
        return index

    @cached_property
    def _edges_by_source(self) -> dict[str, tuple[Edge, ...]]:
        return _group(self.edges, lambda edge: edge.source)

    @cached_property
    def _edges_by_target(self) -> dict[str, tuple[Edge, ...]]:
        return _group(self.edges, lambda edge: edge.target)


def _group(edges: tuple[Edge, ...], key: Any) -> dict[str, tuple[Edge, ...]]:
    groups: dict[str, list[Edge]] = {}
    for edge in edges:
        groups.setdefault(key(edge), []).append(edge)
    return {name: tuple(group) for name, group in groups.items()}
