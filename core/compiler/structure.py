"""Structured emission: the flow graph of a checked graph as nested ``if``/``try``/``for`` code.

A block is emitted from a node until it reaches a stop. A branching node's branches are
blocks that stop at its immediate post-dominator (where they merge), after which emission
goes on from there. A node that two branches reach before they merge is emitted in each
(right for a DAG; validation bounds the copies, see ``core.graph.emission``). Reaching the
continue node of the innermost loop anywhere but at the end of its body becomes ``continue``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from core.activities import ActivityRegistry
from core.compiler import statements
from core.compiler.children import ChildTarget
from core.compiler.errors import CompileError
from core.compiler.naming import LocalNames
from core.compiler.references import expression
from core.compiler.retry_policies import RetryPolicies
from core.compiler.syntax import (
    assign,
    awaited,
    body,
    call,
    const,
    dotted,
    expr_stmt,
    name,
    store,
)
from core.graph.analysis import EXIT, FlowEdge, continue_node, loop_of
from core.graph.model import DEFAULT_HANDLE, ERROR_HANDLE
from core.graph.validation import CheckedGraph
from core.nodes import case_handle
from core.nodes.kinds import (
    ActivityParams,
    ChildWorkflowParams,
    ConditionParams,
    EndParams,
    LoopParams,
    SetVariableParams,
    SwitchParams,
    TimerParams,
    WaitSignalParams,
)

_NO_STOPS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Loop:
    """An enclosing loop: its continue node and what ends each of its iterations."""

    continue_id: str
    collect: tuple[ast.stmt, ...]


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
        start = next(node.id for node in self.graph.nodes if node.type == "start")
        return self.block(start, stops=_NO_STOPS, fallthrough=EXIT, loops=())

    # -- blocks ------------------------------------------------------------------------------
    def block(
        self, node_id: str, *, stops: frozenset[str], fallthrough: str, loops: tuple[_Loop, ...]
    ) -> list[ast.stmt]:
        """Statements from ``node_id`` until a stop.

        Args:
            node_id: the first flow node of the block.
            stops: flow nodes where the block ends (merges of enclosing branches).
            fallthrough: the stop that running off the end of the block leads to.
            loops: enclosing loops, innermost last.
        """
        emitted: list[ast.stmt] = []
        current: str | None = node_id
        while current is not None:
            if current in stops or current == EXIT or loop_of(current) is not None:
                emitted.extend(self._leave(current, fallthrough, loops))
                break
            current = self._node(current, emitted, stops, fallthrough, loops)
        return emitted

    def _leave(self, stop: str, fallthrough: str, loops: tuple[_Loop, ...]) -> list[ast.stmt]:
        """What reaching ``stop`` means where the block ends: nothing, or ``continue``."""
        if stop == fallthrough:
            return []
        if loops and stop == loops[-1].continue_id:
            return [*loops[-1].collect, ast.Continue()]
        raise CompileError(
            "the flow jumps out of a nested structure (for example from an inner loop's body to "
            "an outer loop); restructure the graph so branches meet before leaving it",
            subject=f"node {loop_of(stop) or stop!r}",
        )

    def _merge(
        self, node_id: str, stops: frozenset[str], fallthrough: str
    ) -> tuple[str | None, frozenset[str], str]:
        """Where a branching node's branches meet: (go on from, their stops, their fallthrough)."""
        merge = self.flow.ipdom.get(node_id, EXIT)
        if merge == EXIT or merge in stops:
            # Every branch ends by itself (return, continue) or at an enclosing stop.
            return None, stops | {merge}, fallthrough
        return merge, stops | {merge}, merge

    # -- one node ----------------------------------------------------------------------------
    def _node(
        self,
        node_id: str,
        out: list[ast.stmt],
        stops: frozenset[str],
        fallthrough: str,
        loops: tuple[_Loop, ...],
    ) -> str | None:
        """Append the code of one node; return the flow node to go on from (None: none)."""
        # Validation refused graphs that would repeat steps too often, counting by these rules
        # (core.graph.emission); a test holds the count equal to this one.
        self.emitted += 1
        node = self.graph.node(node_id)
        assert node is not None, node_id  # the flow graph holds only drawn and virtual nodes
        kind = node.type
        if kind not in ("start", "join"):
            out.append(statements.step_marker(node_id))
        if kind in ("start", "join"):
            return self._next(node_id)
        if kind == "set_variable":
            out.extend(
                statements.set_variable(node, self.checked.params_of(node_id, SetVariableParams))
            )
            return self._next(node_id)
        if kind == "timer":
            out.extend(statements.timer(node, self.checked.params_of(node_id, TimerParams)))
            return self._next(node_id)
        if kind == "end":
            out.extend(statements.end(node, self.checked.params_of(node_id, EndParams)))
            return None
        if kind in ("activity", "child_workflow"):
            return self._fallible(node_id, out, stops, fallthrough, loops)
        if kind == "condition":
            return self._condition(node_id, out, stops, fallthrough, loops)
        if kind == "switch":
            return self._switch(node_id, out, stops, fallthrough, loops)
        if kind == "wait_signal":
            return self._wait_signal(node_id, out, stops, fallthrough, loops)
        if kind == "loop":
            return self._loop(node_id, out, loops)
        if kind == "parallel":
            return self._parallel(node_id, out, stops)
        raise CompileError(
            f"no code generation for node type {kind!r}", subject=f"node {node_id!r}"
        )

    def _next(self, node_id: str, handle: str = DEFAULT_HANDLE) -> str:
        return self._target(node_id, handle)

    def _target(self, node_id: str, handle: str) -> str:
        for flow_edge in self.flow.successors.get(node_id, ()):
            if flow_edge.handle == handle:
                return flow_edge.target
        raise CompileError(f"the {handle!r} output is not connected", subject=f"node {node_id!r}")

    def _branches(self, node_id: str, handle: str) -> list[FlowEdge]:
        return [edge for edge in self.flow.successors.get(node_id, ()) if edge.handle == handle]

    def _has(self, node_id: str, handle: str) -> bool:
        return bool(self._branches(node_id, handle))

    # -- branching kinds ---------------------------------------------------------------------
    def _fallible(
        self,
        node_id: str,
        out: list[ast.stmt],
        stops: frozenset[str],
        fallthrough: str,
        loops: tuple[_Loop, ...],
    ) -> str | None:
        node = self.graph.node(node_id)
        assert node is not None
        params: ActivityParams | ChildWorkflowParams
        if node.type == "activity":
            params = self.checked.params_of(node_id, ActivityParams)
            step = statements.activity(node, params, self.registry)
            self.retry_policies.hoist(step, params.retry)
            failure = statements.ACTIVITY_FAILURE
        else:
            params = self.checked.params_of(node_id, ChildWorkflowParams)
            step = statements.child_workflow(node, params, self.children)
            failure = statements.CHILD_FAILURE
        if not self._has(node_id, ERROR_HANDLE):
            out.append(step)
            return self._next(node_id)
        go_on, inner_stops, inner_fall = self._merge(node_id, stops, fallthrough)
        on_error = self.block(
            self._target(node_id, ERROR_HANDLE),
            stops=inner_stops,
            fallthrough=inner_fall,
            loops=loops,
        )
        on_success = self.block(
            self._next(node_id), stops=inner_stops, fallthrough=inner_fall, loops=loops
        )
        handler = statements.failure_handler(failure, params.error_variable, on_error)
        out.append(
            ast.Try(
                body=[step],
                handlers=[handler],
                orelse=on_success,
                finalbody=[],
            )
        )
        return go_on

    def _condition(
        self,
        node_id: str,
        out: list[ast.stmt],
        stops: frozenset[str],
        fallthrough: str,
        loops: tuple[_Loop, ...],
    ) -> str | None:
        params = self.checked.params_of(node_id, ConditionParams)
        go_on, inner_stops, inner_fall = self._merge(node_id, stops, fallthrough)
        test = expression(params.expression, where=f"node {node_id!r} expression")
        branches = [
            self.block(
                self._target(node_id, h), stops=inner_stops, fallthrough=inner_fall, loops=loops
            )
            for h in ("true", "false")
        ]
        out.append(ast.If(test=test, body=body(branches[0]), orelse=branches[1]))
        return go_on

    def _switch(
        self,
        node_id: str,
        out: list[ast.stmt],
        stops: frozenset[str],
        fallthrough: str,
        loops: tuple[_Loop, ...],
    ) -> str | None:
        params = self.checked.params_of(node_id, SwitchParams)
        go_on, inner_stops, inner_fall = self._merge(node_id, stops, fallthrough)
        subject = self.names.fresh("switch")
        out.append(
            assign(
                store(subject), expression(params.expression, where=f"node {node_id!r} expression")
            )
        )
        chain: list[ast.stmt] = self.block(
            self._target(node_id, "default"), stops=inner_stops, fallthrough=inner_fall, loops=loops
        )
        for case in reversed(params.cases):
            case_body = self.block(
                self._target(node_id, case_handle(case)),
                stops=inner_stops,
                fallthrough=inner_fall,
                loops=loops,
            )
            test = ast.Compare(left=name(subject), ops=[ast.Eq()], comparators=[const(case)])
            chain = [ast.If(test=test, body=body(case_body), orelse=chain)]
        out.extend(chain)
        return go_on

    def _wait_signal(
        self,
        node_id: str,
        out: list[ast.stmt],
        stops: frozenset[str],
        fallthrough: str,
        loops: tuple[_Loop, ...],
    ) -> str | None:
        node = self.graph.node(node_id)
        assert node is not None
        params = self.checked.params_of(node_id, WaitSignalParams)
        wait = statements.wait_for_signal(node, params)
        take = statements.take_signal(params)
        if params.timeout is None:
            out.extend([wait, take])
            return self._next(node_id)
        go_on, inner_stops, inner_fall = self._merge(node_id, stops, fallthrough)
        on_timeout = self.block(
            self._target(node_id, "timeout"), stops=inner_stops, fallthrough=inner_fall, loops=loops
        )
        on_signal = self.block(
            self._next(node_id), stops=inner_stops, fallthrough=inner_fall, loops=loops
        )
        timed_out = ast.ExceptHandler(
            type=dotted("asyncio.TimeoutError"), name=None, body=body(on_timeout)
        )
        out.append(
            ast.Try(body=[wait], handlers=[timed_out], orelse=[take, *on_signal], finalbody=[])
        )
        return go_on

    def _loop(self, node_id: str, out: list[ast.stmt], loops: tuple[_Loop, ...]) -> str | None:
        params = self.checked.params_of(node_id, LoopParams)
        where = f"node {node_id!r}"
        items = self.names.fresh("items")
        each = self.names.fresh("item")
        out.append(assign(store(items), expression(params.items, where=f"{where} items")))
        out.append(statements.too_many_items(items, params.max_iterations))
        collect: tuple[ast.stmt, ...] = ()
        collected = None
        if params.collect is not None:
            collected = self.names.fresh("collected")
            out.append(assign(store(collected), ast.List(elts=[], ctx=ast.Load())))
            value = expression(params.collect, where=f"{where} collect")
            append = ast.Attribute(value=name(collected), attr="append", ctx=ast.Load())
            collect = (expr_stmt(call(append, [value])),)
        frame = _Loop(continue_id=continue_node(node_id), collect=collect)
        iteration = [
            *statements.loop_pacing(),
            assign(statements.variable_target(params.item_variable), name(each)),
            *self.block(
                self._target(node_id, "body"),
                stops=frozenset({frame.continue_id}),
                fallthrough=frame.continue_id,
                loops=(*loops, frame),
            ),
        ]
        if not isinstance(iteration[-1], (ast.Return, ast.Continue)):
            iteration.extend(collect)
        out.append(
            ast.For(target=store(each), iter=name(items), body=iteration, orelse=[], lineno=0)
        )
        if collected is not None:
            assert params.result_variable is not None  # LoopParams requires it with collect
            out.append(assign(statements.variable_target(params.result_variable), name(collected)))
        return self._target(frame.continue_id, "done")

    def _parallel(self, node_id: str, out: list[ast.stmt], stops: frozenset[str]) -> str | None:
        join = self.flow.ipdom[node_id]
        tasks: list[ast.expr] = []
        for branch in self._branches(node_id, "branch"):
            function = self.names.fresh("branch")
            steps = self.block(branch.target, stops=stops | {join}, fallthrough=join, loops=())
            out.append(
                ast.AsyncFunctionDef(
                    name=function,
                    args=ast.arguments(
                        posonlyargs=[],
                        args=[],
                        kwonlyargs=[],
                        kw_defaults=[],
                        defaults=[],
                        vararg=None,
                        kwarg=None,
                    ),
                    body=body(steps),
                    decorator_list=[],
                    returns=const(None),
                    lineno=0,
                )
            )
            tasks.append(call(name(function)))
        out.append(expr_stmt(awaited(call("asyncio.gather", tasks))))
        return join
