"""The parallel node: runs every branch at the same time; the branches meet at one join."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from core.codegen.blocks import Emitter, Place
from core.codegen.syntax import awaited, body, call, const, expr_stmt, name
from core.graph.model import Graph, Node
from core.nodes.kind import EmptyParams, Finding, InspectorHints, NodeKind


class ParallelKind(NodeKind[EmptyParams]):
    type = "parallel"
    title = "Parallel"
    description = "Runs every branch at the same time; the branches meet at one join."
    hints = InspectorHints(icon="fork_right", canvas_icon="diagram-3-fill", colour="#7C3AED")
    params_model = EmptyParams
    role = "parallel"
    fixed_handles = ("branch",)
    multi_handles = frozenset({"branch"})

    def check_outputs(self, node: Node, params: EmptyParams, graph: Graph) -> Iterator[Finding]:
        # None is reported as an unconnected output; one runs nothing in parallel.
        branches = [edge for edge in graph.outgoing(node.id) if edge.handle == "branch"]
        if len(branches) == 1:
            yield ("edges.branch", "a parallel node needs two or more branches")

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: EmptyParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        join = emitter.flow.ipdom[node.id]
        tasks: list[ast.expr] = []
        for branch in emitter.branches(node.id, "branch"):
            function = emitter.names.fresh("branch")
            steps = emitter.block(
                branch.target, Place(stops=place.stops | {join}, fallthrough=join, loops=())
            )
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
