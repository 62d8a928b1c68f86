"""The wait-for-signal node: waits until a declared signal arrives, or takes the timeout edge."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from pydantic import Field

from core.codegen.blocks import Emitter, Place
from core.codegen.references import duration_value
from core.codegen.steps import at, store_or_discard, summary
from core.codegen.syntax import awaited, body, call, const, dotted, expr_stmt, item, thunk
from core.graph.model import DEFAULT_HANDLE, Node
from core.graph.values import DurationValue, Identifier
from core.nodes.kind import (
    CheckContext,
    Finding,
    InspectorHints,
    NodeKind,
    Params,
    value_expressions,
)


class WaitSignalParams(Params):
    """Params of a wait-for-signal node."""

    signal: Identifier = Field(description="A signal declared in the workflow settings")
    variable: Identifier | None = Field(default=None, description="Stores the signal payload")
    timeout: DurationValue | None = Field(default=None, description="Take the timeout edge after")


class WaitSignalKind(NodeKind[WaitSignalParams]):
    type = "wait_signal"
    title = "Wait for signal"
    description = "Waits until a declared signal arrives, or takes the timeout edge."
    hints = InspectorHints(
        icon="notifications",
        canvas_icon="bell-fill",
        colour="#DB2777",
        starter_params={"signal": "go"},
    )
    params_model = WaitSignalParams

    def handles(self, params: WaitSignalParams) -> tuple[str, ...]:
        return timeout_handles(params.timeout)

    def required_handles(self, params: WaitSignalParams) -> tuple[str, ...]:
        return self.handles(params)

    def expressions(self, params: WaitSignalParams) -> list[tuple[str, str]]:
        return value_expressions({"timeout": params.timeout}, "")

    def defines(self, params: WaitSignalParams, handle: str) -> tuple[str, ...]:
        return (params.variable,) if params.variable and handle == DEFAULT_HANDLE else ()

    def signals_taken(self, params: WaitSignalParams) -> tuple[str, ...]:
        return (params.signal,)

    def check(
        self, node: Node, params: WaitSignalParams, context: CheckContext
    ) -> Iterator[Finding]:
        declared = {signal.name for signal in context.graph.workflow.signals}
        if params.signal not in declared:
            yield (
                "signal",
                f"signal {params.signal!r} is not declared in the workflow settings",
            )

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: WaitSignalParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        wait = wait_for_signal(node, params)
        return timed_wait(emitter, node, place, [wait, take_signal(params)], out)


def timeout_handles(timeout: object) -> tuple[str, ...]:
    """The outputs of a step that waits: ``next``, and ``timeout`` when it has one."""
    return (DEFAULT_HANDLE, "timeout") if timeout else (DEFAULT_HANDLE,)


def timeout_keywords(node: Node, timeout: object) -> dict[str, ast.expr]:
    """``timeout=`` and ``timeout_summary=`` of ``workflow.wait_condition``, when there is a
    timeout."""
    if timeout is None:
        return {}
    return {
        "timeout": duration_value(timeout, where=at(node, "timeout")),
        **summary("timeout_summary", node),
    }


def timed_wait(
    emitter: Emitter, node: Node, place: Place, steps: list[ast.stmt], out: list[ast.stmt]
) -> str | None:
    """A wait (``steps[0]``, then the rest) as it is, or with a timeout edge: in ``try``, the
    ``timeout`` edge's block handling ``asyncio.TimeoutError``, the ``next`` one after."""
    wait, *after = steps
    if not emitter.branches(node.id, "timeout"):
        out.extend(steps)
        return emitter.target(node.id)
    go_on, inner = emitter.merge(node.id, place)
    on_timeout = emitter.block(emitter.target(node.id, "timeout"), inner)
    on_done = emitter.block(emitter.target(node.id), inner)
    timed_out = ast.ExceptHandler(
        type=dotted("asyncio.TimeoutError"), name=None, body=body(on_timeout)
    )
    out.append(ast.Try(body=[wait], handlers=[timed_out], orelse=[*after, *on_done], finalbody=[]))
    return go_on


def signal_arrived(signal: str) -> ast.expr:
    """``lambda: bool(self.signals["<signal>"])``."""
    queue = item(dotted("self.signals"), signal)
    return thunk(call("bool", [queue]))


def wait_for_signal(node: Node, params: WaitSignalParams) -> ast.stmt:
    """``await workflow.wait_condition(<arrived>, timeout=...)``."""
    keywords = timeout_keywords(node, params.timeout)
    return expr_stmt(
        awaited(call("workflow.wait_condition", [signal_arrived(params.signal)], **keywords))
    )


def take_signal(params: WaitSignalParams) -> ast.stmt:
    """Take the oldest payload off the signal's queue, into the variable if there is one."""
    queue = item(dotted("self.signals"), params.signal)
    payload = call(ast.Attribute(value=queue, attr="pop", ctx=ast.Load()), [const(0)])
    return store_or_discard(params.variable, payload)
