"""What a node kind's emitter sees of the structured emitter: where it stands, and how to emit
the blocks of its branches (``core.compiler.structure`` implements it)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from core.activities import ActivityRegistry
from core.codegen.children import ChildTarget
from core.codegen.naming import LocalNames
from core.codegen.retry_policies import RetryPolicies
from core.codegen.steps import failure_handler
from core.graph.analysis import FlowAnalysis, FlowEdge
from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE


@dataclass(frozen=True)
class LoopFrame:
    """An enclosing loop: its continue node and what ends each of its iterations.

    Attributes:
        in_function: each iteration is a function call (a parallel for-each), so ``collect``
            ends with its ``return`` and no ``continue`` follows it.
    """

    continue_id: str
    collect: tuple[ast.stmt, ...]
    in_function: bool = False


@dataclass(frozen=True)
class Place:
    """Where a block is emitted.

    Attributes:
        stops: flow nodes where the block ends (merges of enclosing branches).
        fallthrough: the stop that running off the end of the block leads to.
        loops: enclosing loops, innermost last.
    """

    stops: frozenset[str]
    fallthrough: str
    loops: tuple[LoopFrame, ...]


class Emitter(Protocol):
    """The structured emitter, as the code emitter of a node kind calls it."""

    flow: FlowAnalysis
    registry: ActivityRegistry
    children: Mapping[str, ChildTarget]
    names: LocalNames
    retry_policies: RetryPolicies

    def block(self, node_id: str, place: Place) -> list[ast.stmt]:
        """Statements from ``node_id`` until a stop of ``place``."""

    def merge(self, node_id: str, place: Place) -> tuple[str | None, Place]:
        """Where a branching node's branches meet: the node to go on from (None: nowhere,
        every branch ends by itself), and the place its branches are emitted in."""

    def target(self, node_id: str, handle: str = DEFAULT_HANDLE) -> str:
        """The flow node an output of ``node_id`` leads to."""

    def branches(self, node_id: str, handle: str) -> list[FlowEdge]:
        """The flow edges leaving ``node_id`` through ``handle``."""


def guarded(
    emitter: Emitter,
    node_id: str,
    step: ast.stmt,
    *,
    failure: str | tuple[str, ...],
    error_variable: str,
    place: Place,
    out: list[ast.stmt],
) -> str | None:
    """A step that can fail: as it is, or in ``try`` with its ``error`` edge's block as the
    handler and the rest of its block after it; returns the node to go on from."""
    if not emitter.branches(node_id, ERROR_HANDLE):
        out.append(step)
        return emitter.target(node_id)
    go_on, inner = emitter.merge(node_id, place)
    on_error = emitter.block(emitter.target(node_id, ERROR_HANDLE), inner)
    on_success = emitter.block(emitter.target(node_id), inner)
    handler = failure_handler(failure, error_variable, on_error)
    out.append(ast.Try(body=[step], handlers=[handler], orelse=on_success, finalbody=[]))
    return go_on
