"""Validation of a workflow graph: every problem at once, each naming its node or edge and field."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from core.activities import ActivityRegistry, builtin_registry
from core.errors import ExpressionError, WorkflowBuilderError
from core.expressions import ALLOWED_FUNCTIONS, SECRET_FUNCTION, UPDATE_ARGS, parse_expression
from core.gc_pause import collector_paused
from core.graph.analysis import FlowAnalysis, analyse
from core.graph.emission import MAX_EXPANSION, emission
from core.graph.messages import ID_RULE, WORKFLOW_NAME_RULE, plain_message
from core.graph.model import Edge, Graph, Node, SignalDecl, SignalUpdate, UpdateDecl, thaw
from core.graph.names import is_graph_id, is_workflow_name, task_queue_problem
from core.graph.values import identifier_problem, parse_duration, value_has_type
from core.nodes.catalog import CATALOG
from core.nodes.kind import CheckContext, NodeKind, Params
from core.secrets.references import placement_problem
from core.validation.definitions import DefinedVariables
from core.validation.isolation import isolated_body_problems
from core.validation.loop_exits import continuing_loops, loop_exit_problems

MAX_LOOP_ITERATIONS = 1_000_000
"""Most times a loop, with the loops around it, may run its body in one run: a million (see
_check_loop_budgets)."""

HISTORY_EVENT_LIMIT = 51_200
"""Temporal's limit on the events of one run's history: a longer run is terminated."""

EVENTS_PER_WAIT = 5
"""Fewest history events a waiting step adds each time it runs (a timer's start and firing and
the workflow task that goes on; an activity or child workflow adds more)."""

#: Names generated code and expressions reserve for themselves.
RESERVED_NAMES = frozenset({"input", "state", SECRET_FUNCTION}) | ALLOWED_FUNCTIONS
_SECRET_OUTSIDE_ARGUMENTS = (
    "secret() may be used only in activity arguments: its value must never pass through the "
    "workflow, where the run's history would keep it"
)
_P = TypeVar("_P", bound=Params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a graph.

    Attributes:
        scope: ``"node"``, ``"edge"``, ``"workflow"`` or ``"graph"``.
        subject: the node or edge id, or the workflow name ("" for the whole graph).
        field: the param or field at fault (``args.url``, ``handle``, ``queries[0].name``).
        message: a sentence a user understands.
    """

    scope: str
    subject: str
    field: str
    message: str

    def __str__(self) -> str:
        who = f"{self.scope} {self.subject}" if self.subject else self.scope
        return f"{who}: {self.field}: {self.message}"


class GraphInvalidError(WorkflowBuilderError):
    """The graph has problems; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class CheckedGraph:
    """A graph with each node's typed params, as validation found them."""

    graph: Graph
    params: Mapping[str, Params]
    flow: FlowAnalysis | None
    #: The id of the one start node.
    start: str

    def params_of(self, node_id: str, model: type[_P]) -> _P:
        """The params of ``node_id``, typed as ``model``, its kind's params model.

        Raises:
            KeyError: the node has no params (it does not exist).
            TypeError: its params are of another model: the caller mistook the node's kind.
        """
        params = self.params[node_id]
        if not isinstance(params, model):
            raise TypeError(f"node {node_id!r} has {type(params).__name__}, not {model.__name__}")
        return params


def validate(graph: Graph, *, registry: ActivityRegistry | None = None) -> list[Problem]:
    """Every problem of ``graph``, in a stable order; an empty list means it is valid."""
    with collector_paused():
        return _Validator(graph, registry or builtin_registry()).run()


def check(graph: Graph, *, registry: ActivityRegistry | None = None) -> CheckedGraph:
    """Validate and return the typed view the compiler works from.

    Raises:
        GraphInvalidError: with every problem, when there is any.
    """
    validator = _Validator(graph, registry or builtin_registry())
    with collector_paused():
        problems = validator.run()
    if problems:
        raise GraphInvalidError(problems)
    assert validator.start is not None  # a graph without problems has its one start node
    return CheckedGraph(
        graph=graph, params=validator.params, flow=validator.flow, start=validator.start
    )


class _Validator:
    def __init__(self, graph: Graph, registry: ActivityRegistry) -> None:
        self.graph = graph
        self.registry = registry
        self.context = CheckContext(graph=graph, registry=registry)
        self.problems: list[Problem] = []
        self.params: dict[str, Params] = {}
        self.kinds: dict[str, NodeKind] = {}
        self.flow: FlowAnalysis | None = None
        self.start: str | None = None

    def run(self) -> list[Problem]:
        self._check_workflow()
        self._check_nodes()
        edges = self._check_edges()
        starts = [node_id for node_id, kind in self.kinds.items() if kind.role == "start"]
        if len(starts) != 1:
            found = "none" if not starts else ", ".join(starts)
            self._graph("nodes", f"a workflow needs exactly one start node (found {found})")
        else:
            self.start = starts[0]
            self._check_flow(self.start, edges)
            if not self.problems:
                self._check_emission(self.start)
        return self.problems

    # -- reporting ---------------------------------------------------------------------------
    def _node(self, node_id: str, field: str, message: str) -> None:
        self.problems.append(Problem("node", node_id, field, message))

    def _edge(self, edge_id: str, field: str, message: str) -> None:
        self.problems.append(Problem("edge", edge_id, field, message))

    def _workflow(self, field: str, message: str) -> None:
        self.problems.append(Problem("workflow", self.graph.workflow.name, field, message))

    def _graph(self, field: str, message: str) -> None:
        self.problems.append(Problem("graph", "", field, message))

    # -- workflow settings -------------------------------------------------------------------
    def _check_workflow(self) -> None:
        meta = self.graph.workflow
        if not is_workflow_name(meta.name):
            self._workflow(
                "name", f"{meta.name!r} is not a valid workflow name: {WORKFLOW_NAME_RULE}"
            )
        queue_problem = task_queue_problem(meta.task_queue) if meta.task_queue is not None else None
        if queue_problem:
            self._workflow("task_queue", queue_problem)
        if meta.run_timeout is not None:
            try:
                parse_duration(meta.run_timeout)
            except ValueError as error:
                self._workflow("run_timeout", str(error))
        handler_names: set[str] = {"state"}
        for index, signal in enumerate(meta.signals):
            self._check_handler_name(signal.name, f"signals[{index}].name", "signal", handler_names)
            self._check_payload(signal, f"signals[{index}]", "signal")
        for index, query in enumerate(meta.queries):
            self._check_handler_name(query.name, f"queries[{index}].name", "query", handler_names)
            try:
                reads_secret = bool(parse_expression(query.expression).secrets)
            except ExpressionError:
                reads_secret = False  # reported with the query's other expression problems
            if reads_secret:
                self._workflow(f"queries[{index}].expression", _SECRET_OUTSIDE_ARGUMENTS)
        for index, update in enumerate(meta.updates):
            self._check_handler_name(update.name, f"updates[{index}].name", "update", handler_names)
            self._check_payload(update, f"updates[{index}]", "update")

    def _check_payload(self, signal: SignalDecl | UpdateDecl, where: str, what: str) -> None:
        """The payload fields of a signal or workflow update, and the variables it changes."""
        for field_index, item in enumerate(signal.fields):
            place = f"{where}.fields[{field_index}]"
            self._check_identifier(item.name, f"{place}.name")
            if item.default is not None and not value_has_type(item.default, item.type):
                self._workflow(f"{place}.default", f"default must be of type {item.type}")
        for update_index, update in enumerate(signal.updates):
            self._check_signal_update(signal, update, f"{where}.updates[{update_index}]", what)

    def _check_signal_update(
        self, signal: SignalDecl | UpdateDecl, update: SignalUpdate, where: str, what: str
    ) -> None:
        if (
            self._check_identifier(update.variable, f"{where}.variable")
            and update.variable in RESERVED_NAMES
        ):
            self._workflow(
                f"{where}.variable", f"the name {update.variable!r} is reserved; choose another"
            )
        if update.value is not None:
            if update.action != "set":
                self._workflow(
                    f"{where}.value",
                    f"a literal value is only for set; {update.action} takes the payload or one "
                    "of its fields",
                )
            if update.field is not None:
                self._workflow(f"{where}.value", "give either a field or a value, not both")
        if update.field is None:
            return
        declared = {item.name: item for item in signal.fields}
        source = declared.get(update.field)
        if source is None:
            known = ", ".join(declared) or "none"
            self._workflow(
                f"{where}.field",
                f"{what} {signal.name!r} has no payload field {update.field!r} (it has {known})",
            )
        elif update.action == "merge" and source.type != "object":
            self._workflow(
                f"{where}.field",
                f"merge needs an object, and field {update.field!r} is of type {source.type}",
            )

    def _check_handler_name(self, name: str, field: str, what: str, seen: set[str]) -> None:
        if not self._check_identifier(name, field):
            return
        if name in seen:
            reason = "is built in" if name == "state" else "is declared twice"
            self._workflow(field, f"{what} name {name!r} {reason}; choose another name")
        seen.add(name)

    def _check_identifier(self, name: str, field: str) -> bool:
        problem = identifier_problem(name)
        if problem:
            self._workflow(field, problem)
        return problem is None

    # -- nodes and their params --------------------------------------------------------------
    def _check_nodes(self) -> None:
        seen: set[str] = set()
        for index, node in enumerate(self.graph.nodes):
            if not is_graph_id(node.id):
                self._node(node.id or f"#{index}", "id", f"{node.id!r} is not allowed: {ID_RULE}")
            if node.id in seen:
                self._node(node.id, "id", f"the id {node.id!r} is used by more than one node")
                continue
            seen.add(node.id)
            kind = CATALOG.get(node.type)
            if kind is None:
                known = ", ".join(sorted(CATALOG))
                self._node(node.id, "type", f"unknown node type {node.type!r}; known: {known}")
                continue
            self.kinds[node.id] = kind
            params = self._parse_params(node, kind)
            if params is not None:
                self.params[node.id] = params
                self._check_node_params(node, kind, params)

    def _parse_params(self, node: Node, kind: NodeKind) -> Params | None:
        try:
            return kind.params_model.model_validate(thaw(node.params))
        except ValidationError as error:
            for item in error.errors():
                self._node(node.id, _field_path(item["loc"]), plain_message(item))
            return None

    def _check_node_params(self, node: Node, kind: NodeKind, params: Any) -> None:
        for handle in kind.handles(params):
            for name in kind.defines(params, handle):
                if name in RESERVED_NAMES:
                    self._node(node.id, "params", f"the name {name!r} is reserved; choose another")
        self._check_secrets(node, kind, params)
        queue = getattr(params, "task_queue", None)  # activity and child steps may name one
        problem = task_queue_problem(queue) if queue is not None else None
        if problem:
            self._node(node.id, "task_queue", problem)
        for field, message in kind.check(node, params, self.context):
            self._node(node.id, field, message)

    def _check_secrets(self, node: Node, kind: NodeKind, params: Any) -> None:
        """``secret()`` only in activity arguments, and only where the worker can resolve it."""
        for field, source in kind.expressions(params):
            expression = parse_expression(source)  # already parsed once by the params model
            if not expression.secrets:
                continue
            if kind.reads_secrets_in(field):
                problem = placement_problem(expression)
                if problem:
                    self._node(node.id, field, problem)
            else:
                self._node(node.id, field, _SECRET_OUTSIDE_ARGUMENTS)

    # -- edges -------------------------------------------------------------------------------
    def _check_edges(self) -> list[Edge]:
        """Check each edge; return the ones whose ends exist, for flow analysis."""
        usable: list[Edge] = []
        seen: set[str] = set()
        used_handles: set[tuple[str, str]] = set()
        for edge in self.graph.edges:
            if not is_graph_id(edge.id):
                self._edge(edge.id, "id", f"{edge.id!r} is not allowed: {ID_RULE}")
            if edge.id in seen:
                self._edge(edge.id, "id", f"the id {edge.id!r} is used by more than one edge")
            seen.add(edge.id)
            ends_exist = True
            for end in ("source", "target"):
                node_id = getattr(edge, end)
                if self.graph.node(node_id) is None:
                    self._edge(edge.id, end, f"there is no node {node_id!r}")
                    ends_exist = False
            if not ends_exist:
                continue
            target_kind = self.kinds.get(edge.target)
            if target_kind is not None and target_kind.role == "start":
                self._edge(edge.id, "target", "no edge may lead into the start node")
            kind = self.kinds.get(edge.source)
            params = self.params.get(edge.source)
            if kind is not None and params is not None:
                allowed = kind.handles(params)
                if edge.handle not in allowed:
                    where = ", ".join(allowed) if allowed else "none: it ends the workflow"
                    self._edge(
                        edge.id,
                        "handle",
                        f"a {kind.type} node has no {edge.handle!r} output (it has {where})",
                    )
                    continue
                key = (edge.source, edge.handle)
                if key in used_handles and edge.handle not in kind.multi_handles:
                    self._edge(
                        edge.id,
                        "handle",
                        f"node {edge.source!r} already has an edge on its {edge.handle!r} output",
                    )
                used_handles.add(key)
            usable.append(edge)
        for node_id, kind in self.kinds.items():
            params = self.params.get(node_id)
            if params is None:
                continue
            for handle in kind.required_handles(params):
                if (node_id, handle) not in used_handles:
                    self._node(node_id, f"edges.{handle}", f"connect the {handle!r} output")
            node = self.graph.node(node_id)
            assert node is not None  # kinds holds the graph's own nodes
            for field, message in kind.check_outputs(node, params, self.graph):
                self._node(node_id, field, message)
        return usable

    # -- control flow ------------------------------------------------------------------------
    def _check_flow(self, start: str, edges: list[Edge]) -> None:
        graph = Graph(workflow=self.graph.workflow, nodes=self.graph.nodes, edges=tuple(edges))
        loops = [node_id for node_id, kind in self.kinds.items() if kind.role == "loop"]
        ends = [node_id for node_id, kind in self.kinds.items() if kind.role == "end"]
        leaves = [node_id for node_id, kind in self.kinds.items() if kind.role == "leave"]
        flow = analyse(graph, start=start, loops=loops, ends=ends, leaves=leaves)
        for edge in flow.cycle_edges:
            self._edge(
                edge.id,
                "target",
                "this edge closes a cycle; only a loop's body may lead back (to its loop node)",
            )
        reached = set(flow.order)
        for node in self.graph.nodes:
            if node.id in self.kinds and node.id not in reached:
                self._node(node.id, "edges", "no path from the start node reaches this node")
        for loop in loops:
            if self.params.get(loop) is not None and not any(
                edge.id in flow.back_edges for edge in graph.incoming(loop)
            ):
                self._node(
                    loop,
                    "edges.body",
                    "the loop body never comes back; connect its last step to the loop node",
                )
        if flow.cycle_edges:
            return
        self.flow = flow
        for node_id in flow.order:
            if node_id in self.kinds and not flow.reaches_exit(node_id):
                self._node(node_id, "edges", "no path from this node reaches an end node")
        self._check_parallels(flow)
        for node_id, field, message in loop_exit_problems(self.kinds, flow):
            self._node(node_id, field, message)
        for node_id, field, message in isolated_body_problems(
            self.graph, self.kinds, self.params, flow
        ):
            self._node(node_id, field, message)
        self._check_loop_budgets(flow)
        # A node whose params could not be read defines nothing we know of; checking variables
        # now would blame every later use of its variables instead of the params themselves.
        if len(self.params) == len(self.kinds):
            self._check_variables(flow)

    def _check_loop_budgets(self, flow: FlowAnalysis) -> None:
        """Refuse loops whose max_iterations, nested, cannot fit a run (core.bounds pacing).

        A loop that never waits pauses about ten times a second of its work (core.bounds
        LOOP_FIRST_BUDGET; one history event each, and a timer's 5 once a second), so only
        some 50 minutes of work in one run fill a history with pauses. A step that waits adds
        at least 5 events each time it runs (a timer: started, fired and the workflow task
        that goes on), and Temporal ends a run whose history passes HISTORY_EVENT_LIMIT events.
        """
        limits: dict[str, int] = {}
        # A loop that continues as new starts a new history whenever this one fills: per run,
        # it counts once.
        continuing = continuing_loops(self.kinds, flow)
        for loop in [loop for loop in flow.loop_bodies if loop not in continuing]:
            params = self.params.get(loop)
            limit = self.kinds[loop].iteration_limit(params) if params is not None else None
            if limit is not None:
                limits[loop] = limit
        enclosing: dict[str, list[str]] = {node_id: [] for node_id in self.kinds}
        for loop, body in flow.loop_bodies.items():
            for node_id in body:
                if node_id in enclosing:
                    enclosing[node_id].append(loop)

        def runs(node_id: str) -> int:
            return math.prod(limits.get(loop, 1) for loop in enclosing[node_id])

        refused: set[str] = set()
        for loop, limit in limits.items():
            total = runs(loop) * limit
            if total > MAX_LOOP_ITERATIONS:
                refused.add(loop)
                self._node(
                    loop,
                    "params.max_iterations",
                    f"with the loops around it this loop may run its body {total:,} times (the "
                    f"product of their max_iterations), more than the {MAX_LOOP_ITERATIONS:,} a "
                    "run allows; lower max_iterations",
                )
        for node_id, kind in self.kinds.items():
            loops = [loop for loop in enclosing[node_id] if loop not in refused]
            if not kind.waits or not loops:
                continue
            events = runs(node_id) * EVENTS_PER_WAIT
            if events > HISTORY_EVENT_LIMIT:
                innermost = min(loops, key=lambda loop: len(flow.loop_bodies[loop]))
                refused.add(innermost)
                self._node(
                    innermost,
                    "params.max_iterations",
                    f"at max_iterations, step {node_id!r} in this loop would run "
                    f"{runs(node_id):,} times, adding at least {events:,} events to the run's "
                    f"history: Temporal ends a run at {HISTORY_EVENT_LIMIT:,}; lower "
                    "max_iterations",
                )

    def _check_emission(self, start: str) -> None:
        """Refuse what the compiler cannot emit: jumps out of nested structures, and code that
        would repeat steps too often (branches that meet only at the end)."""
        assert self.flow is not None  # set when the flow has no problems
        roles = {node_id: kind.role for node_id, kind in self.kinds.items()}
        walked = emission(self.flow, roles, start)
        for node_id in sorted(walked.jumps):
            self._node(
                node_id,
                "edges",
                "the flow jumps here from inside a nested structure (a branch or an inner loop's "
                "body) that has not ended; let the branches meet before leading here",
            )
        limit = MAX_EXPANSION * max(1, len(self.graph.nodes))
        if not walked.jumps and sum(walked.copies.values()) > limit:
            node_id, times = walked.copies.most_common(1)[0]
            self._node(
                node_id,
                "edges",
                f"the generated code would repeat this step {times:,} times (at most "
                f"{MAX_EXPANSION} copies per node in all): branches before it meet only at the "
                "end; add a node where they join earlier",
            )

    def _check_parallels(self, flow: FlowAnalysis) -> None:
        joins_used: dict[str, str] = {}
        for node_id, kind in self.kinds.items():
            if kind.role != "parallel" or node_id not in flow.ipdom:
                continue
            join = flow.ipdom[node_id]
            join_kind = self.kinds.get(join)
            if join_kind is None or join_kind.role != "join":
                self._node(
                    node_id,
                    "edges.branch",
                    "the branches must all meet at one join node before going on",
                )
            elif join in joins_used:
                self._node(join, "edges", f"this join already closes parallel {joins_used[join]!r}")
            else:
                joins_used[join] = node_id
        for node_id, kind in self.kinds.items():
            if kind.role == "join" and node_id not in joins_used and node_id in flow.order:
                self._node(node_id, "edges", "this join does not close a parallel node")

    def _check_variables(self, flow: FlowAnalysis) -> None:
        defined = DefinedVariables(self.kinds, self.params, flow)
        # Variables that signals update exist from the run's start (None until a signal sets
        # them), so any expression may read them.
        meta = self.graph.workflow
        by_signals = frozenset(
            change.variable for signal in meta.payload_handlers for change in signal.updates
        )
        everywhere = defined.anywhere() | by_signals
        input_fields = defined.input_fields
        for node_id in flow.order:
            kind = self.kinds.get(node_id)
            params = self.params.get(node_id)
            if kind is None or params is None:
                continue
            for field, source in kind.expressions(params):
                if field in kind.unset_reads_none_fields:
                    available = everywhere
                elif field in kind.iteration_end_fields:
                    available = by_signals | defined.at_iteration_end(node_id)
                else:
                    available = by_signals | defined.before(node_id)
                self._check_names(node_id, field, source, available, everywhere, input_fields)
        for index, query in enumerate(self.graph.workflow.queries):
            try:
                expression = parse_expression(query.expression)
            except ExpressionError as error:
                self._workflow(f"queries[{index}].expression", str(error))
                continue
            for name in sorted(expression.variables - everywhere):
                self._workflow(
                    f"queries[{index}].expression", f"no node defines a variable {name!r}"
                )
            for name in sorted(_unknown_fields(expression, input_fields)):
                self._workflow(f"queries[{index}].expression", f"the input has no field {name!r}")
        for index, update in enumerate(meta.updates):
            for part in ("validator", "result"):
                source = getattr(update, part)
                if source is not None:
                    where = f"updates[{index}].{part}"
                    self._check_update_expression(update, where, source, everywhere, input_fields)

    def _check_update_expression(
        self,
        update: UpdateDecl,
        where: str,
        source: str,
        everywhere: frozenset[str],
        input_fields: frozenset[str] | None,
    ) -> None:
        """A workflow update's validator or result: over variables (unset ones read None), the
        workflow input and the update's input ``args``; never a secret."""
        try:
            expression = parse_expression(source)
        except ExpressionError as error:
            self._workflow(where, str(error))
            return
        if expression.secrets:
            self._workflow(where, _SECRET_OUTSIDE_ARGUMENTS)
        for name in sorted(expression.variables - everywhere - {UPDATE_ARGS}):
            self._workflow(where, f"no node defines a variable {name!r}")
        if UPDATE_ARGS in expression.variables and UPDATE_ARGS in everywhere:
            self._workflow(
                where,
                f"here {UPDATE_ARGS} is the update's input, not the variable {UPDATE_ARGS!r}: "
                "rename the variable to read it",
            )
        for name in sorted(_unknown_fields(expression, input_fields)):
            self._workflow(where, f"the input has no field {name!r}")
        declared = {item.name for item in update.fields}
        for name in sorted(expression.arg_fields - declared):
            known = ", ".join(sorted(declared)) or "none"
            self._workflow(
                where, f"update {update.name!r} has no field {name!r} in args (it has {known})"
            )

    def _check_names(
        self,
        node_id: str,
        field: str,
        source: str,
        available: frozenset[str],
        everywhere: frozenset[str],
        input_fields: frozenset[str] | None,
    ) -> None:
        expression = parse_expression(source)  # already parsed once by the params model
        for name in sorted(expression.variables - available):
            if name in everywhere:
                message = f"variable {name!r} may not be set on every path that reaches here"
            else:
                message = f"no node defines a variable {name!r}"
            self._node(node_id, field, message)
        for name in sorted(_unknown_fields(expression, input_fields)):
            self._node(node_id, field, f"the input has no field {name!r} (see the start node)")


def _unknown_fields(expression: Any, input_fields: frozenset[str] | None) -> frozenset[str]:
    """Input fields an expression reads that the start node does not declare (None: unknown)."""
    return frozenset() if input_fields is None else expression.input_fields - input_fields


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "params"
