"""What every node kind defines: its params model, validation rules, code emitter and
inspector hints. Each kind is one module of ``core.nodes.kinds``; the catalog lists them."""

from __future__ import annotations

import ast
import builtins
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from core.activities import ActivityRegistry
from core.codegen.blocks import Emitter, Place
from core.graph.analysis import Role
from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE, Graph, Node
from core.graph.values import is_expression_value


class Params(BaseModel):
    """Base of every kind's params: unknown keys are errors, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


class EmptyParams(Params):
    """Kinds without params (parallel, join)."""


@dataclass(frozen=True)
class InspectorHints:
    """How the builder shows and starts a kind.

    Attributes:
        icon: Material Symbols name (the palette; Streamlit draws those).
        canvas_icon: Bootstrap Icons name of the same picture (the canvas component ships
            Bootstrap Icons, not Material Symbols).
        colour: the kind's colour on the canvas and in the palette.
        starter_params: the params of a node added from the palette: enough to be valid
            where a value is needed.
        picks_activity: the form starts with a choice among the registry's activities and
            their arguments (instead of the plain form of the params model).
        advanced: in such a form, the params shown folded under "Retries and timeouts"
            rather than in the main part.
    """

    icon: str
    canvas_icon: str
    colour: str
    starter_params: Mapping[str, Any] = field(default_factory=dict)
    advanced: tuple[str, ...] = ()
    picks_activity: bool = False


@dataclass(frozen=True)
class CheckContext:
    """What a kind's validation rules may look at besides the node's own params."""

    graph: Graph
    registry: ActivityRegistry


#: A problem a kind's rule finds: (field, message), reported against the node.
Finding = tuple[str, str]

P = TypeVar("P", bound=Params)


class NodeKind(ABC, Generic[P]):
    """One kind of node, over its params model ``P``.

    Subclasses set the class attributes, define :meth:`emit` and override what else differs.
    """

    type: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    hints: ClassVar[InspectorHints]
    # Not a ClassVar, which may not hold a type variable; `builtins.` because in this class
    # body `type` names the attribute above.
    params_model: builtins.type[P]
    #: What the node is to the control flow (loops, parallels and the like are analysed by
    #: their structure); most kinds are plain steps.
    role: ClassVar[Role] = "step"
    #: Outgoing handles whatever the params; ``handles()`` may add to them.
    fixed_handles: ClassVar[tuple[str, ...]] = (DEFAULT_HANDLE,)
    #: Handles that may carry several edges (a parallel's branches); others carry one.
    multi_handles: ClassVar[frozenset[str]] = frozenset()
    #: Whether the node can fail and so may route an ``error`` edge.
    can_fail: ClassVar[bool] = False
    #: The handle the flow goes on through (a node inserted after this one hangs there), when
    #: not the first handle; a loop goes on after ``done``, not into its body.
    onward_handle: ClassVar[str | None] = None
    #: Whether each run of the step waits on Temporal, adding history events (which bounds how
    #: often a loop may run it).
    waits: ClassVar[bool] = False
    #: Whether the generated code names the step (``self.step = ...``) before running it.
    marks_step: ClassVar[bool] = True
    #: Expression fields evaluated at the end of each iteration of the node's loop body, where
    #: the body's variables are set, rather than before the node.
    iteration_end_fields: ClassVar[frozenset[str]] = frozenset()
    #: Expression fields that read a variable not set yet as None (a wait-until condition
    #: waits for one to be set), so any variable some node or signal sets may appear in them.
    unset_reads_none_fields: ClassVar[frozenset[str]] = frozenset()
    #: Whether the loop's iterations run at the same time, each keeping the variables it sets
    #: to itself (a parallel for-each): its body may not end the run nor set a variable that
    #: is set outside it (the change would be lost).
    isolated_body: ClassVar[bool] = False
    #: Whether the loop's body is a Python ``for``/``while`` of the generated code, so break
    #: and continue nodes may stand in it.
    loop_statement: ClassVar[bool] = False
    #: Whether the node may stand only inside a loop's body (break, continue).
    inside_loop_only: ClassVar[bool] = False
    #: Whether the kind's code may continue the run as new: the workflow's ``__init__`` and
    #: ``run`` then take what the previous run carried (``_restore``, from ``helpers``).
    continues_as_new: ClassVar[bool] = False
    #: Whether the kind's code reads the order signals arrived in (``self.arrivals``, the names
    #: of queued signals, oldest first), which the handlers of graphs using it then record.
    orders_signals: ClassVar[bool] = False
    #: The param naming, by its workflow name, a workflow the node starts as a child (None:
    #: the kind starts none; its ``task_queue`` param names the queue to start it on, unset for
    #: the child's own). Deploys, the builder's preview, the local runner and the demo data find
    #: a graph's children through ``core.nodes.catalog.child_workflow``.
    child_workflow_param: ClassVar[str | None] = None
    #: Module-level definitions (Python source) the kind's code calls, added once to the
    #: ``workflow.py`` of graphs that use the kind, so other graphs compile as before.
    helpers: ClassVar[str] = ""

    def handles(self, params: P) -> tuple[str, ...]:
        """Every handle an edge may leave from."""
        return self.fixed_handles + ((ERROR_HANDLE,) if self.can_fail else ())

    def required_handles(self, params: P) -> tuple[str, ...]:
        """Handles that must have an edge (``error`` never is)."""
        return self.fixed_handles

    def expressions(self, params: P) -> list[tuple[str, str]]:
        """``(field, expression text)`` for every expression the node evaluates."""
        return []

    def defines(self, params: P, handle: str) -> tuple[str, ...]:
        """Variables that hold a value once the node has been left through ``handle``."""
        return ()

    def signals_taken(self, params: P) -> tuple[str, ...]:
        """Signals whose payloads the node takes off their queue (``self.signals``)."""
        return ()

    def reads_secrets_in(self, field: str) -> bool:
        """Whether an expression in ``field`` may call ``secret()`` (activity arguments only)."""
        return False

    def iteration_limit(self, params: P) -> int | None:
        """How often a loop kind runs its body at most (None: not a loop)."""
        return None

    def check(self, node: Node, params: P, context: CheckContext) -> Iterator[Finding]:
        """Problems of the node's params that need more than the params model to see."""
        return iter(())

    def check_outputs(self, node: Node, params: P, graph: Graph) -> Iterator[Finding]:
        """Problems of the node's outgoing edges beyond unknown and missing handles."""
        return iter(())

    @abstractmethod
    def emit(
        self, emitter: Emitter, node: Node, params: P, place: Place, out: list[ast.stmt]
    ) -> str | None:
        """Append the node's code to ``out``; return the flow node to go on from (None: the
        block ends here, as after a ``return``)."""


class LoopExitKind(NodeKind[EmptyParams]):
    """Break and continue: leave the innermost loop's iteration with one statement.

    Their flow goes on to the end of their loop's iteration (core.graph.analysis), where the
    loop's code goes on after the loop (break) or with its next iteration (continue).
    """

    params_model = EmptyParams
    role = "leave"
    fixed_handles = ()
    inside_loop_only = True
    #: The statement that leaves: ``ast.Break`` or ``ast.Continue``.
    statement: ClassVar[type[ast.Break] | type[ast.Continue]]

    def emit(
        self, emitter: Emitter, node: Node, params: EmptyParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        out.append(self.statement())
        return None


def value_expressions(values: Mapping[str, Any], prefix: str) -> list[tuple[str, str]]:
    """``(field, text)`` of the ``{"expr": ...}`` values among ``values``."""
    return [
        (f"{prefix}.{name}" if prefix else name, value["expr"])
        for name, value in values.items()
        if is_expression_value(value)
    ]


def result_or_error(result: str | None, error: str, handle: str) -> tuple[str, ...]:
    """What a fallible step defines: its error variable on ``error``, else its result."""
    if handle == ERROR_HANDLE:
        return (error,)
    return (result,) if result else ()


def require_unique(names: list[str], what: str) -> None:
    """Raise ValueError (for pydantic to report) at the first name declared twice."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} {name!r} is declared twice")
        seen.add(name)
