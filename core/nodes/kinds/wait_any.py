"""The wait-for-any-signal node: waits for the first of several declared signals and follows
that signal's edge, or takes the timeout edge."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from pydantic import Field, field_validator

from core.codegen.blocks import Emitter, Place
from core.codegen.syntax import (
    assign,
    awaited,
    body,
    call,
    const,
    dotted,
    expr_stmt,
    item,
    name,
    store,
    thunk,
)
from core.graph.model import ERROR_HANDLE, Node
from core.graph.values import DurationValue, Identifier
from core.nodes.kind import (
    CheckContext,
    Finding,
    InspectorHints,
    NodeKind,
    Params,
    require_unique,
    value_expressions,
)
from core.nodes.kinds.wait_signal import WaitSignalParams, take_signal, timeout_keywords

#: Handles a signal may not be named for: the wait's own timeout edge, and ``error``.
_RESERVED = ("timeout", ERROR_HANDLE)

#: Signals can come while the run is busy (or in one workflow task), so several of the listed
#: ones may be queued when the wait looks: the signal handlers record the order queued signals
#: arrived in (``self.arrivals``, see ``NodeKind.orders_signals``), and the wait takes the one
#: that came first. Wait-for-signal steps take payloads without touching that record, so the
#: payloads taken since are found by counting (a signal's oldest ones: it has ``recorded -
#: queued`` of them) and dropped, which keeps the record as long as the queues. Payloads queued
#: before anything was recorded (carried over by continue-as-new) are older than every recorded
#: one.
_HELPERS = '''
def _first_arrived(
    arrivals: list[str], queues: dict[str, list[Any]], names: tuple[str, ...]
) -> str:
    """Of the signals ``names`` with a payload queued, the one whose oldest payload came first."""
    recorded: dict[str, int] = {}
    for name in arrivals:
        recorded[name] = recorded.get(name, 0) + 1
    taken = {name: recorded.get(name, 0) - len(queue) for name, queue in queues.items()}
    kept = []
    for name in arrivals:
        if taken.get(name, 0) > 0:
            taken[name] -= 1
        else:
            kept.append(name)
    arrivals[:] = kept
    waiting = [name for name in names if queues[name]]
    for name in waiting:
        if recorded.get(name, 0) < len(queues[name]):
            return name
    return next((name for name in arrivals if name in waiting), waiting[0])
'''


class WaitAnyParams(Params):
    """Params of a wait-for-any-signal node."""

    signals: list[Identifier] = Field(
        description="Signals declared in the workflow settings, two or more; each is the name "
        "of an output, followed when that signal comes first"
    )
    variable: Identifier | None = Field(default=None, description="Stores the signal payload")
    timeout: DurationValue | None = Field(default=None, description="Take the timeout edge after")

    @field_validator("signals")
    @classmethod
    def _two_or_more_distinct(cls, signals: list[str]) -> list[str]:
        if len(signals) < 2:
            raise ValueError("list two or more signals (for one, use a wait for signal node)")
        require_unique(signals, "signal")
        reserved = [signal for signal in signals if signal in _RESERVED]
        if reserved:
            raise ValueError(
                f"signal {reserved[0]!r} cannot be waited for here: its name is that of an output "
                "the node has already; rename the signal"
            )
        return signals


class WaitAnyKind(NodeKind[WaitAnyParams]):
    type = "wait_any"
    title = "Wait for any signal"
    description = (
        "Waits for the first of several signals and follows its edge, or takes the timeout edge."
    )
    hints = InspectorHints(
        icon="notifications_active",
        canvas_icon="bell",
        colour="#BE185D",
        starter_params={"signals": ["approve", "reject"]},
    )
    params_model = WaitAnyParams
    fixed_handles = ()
    orders_signals = True
    helpers = _HELPERS

    def handles(self, params: WaitAnyParams) -> tuple[str, ...]:
        return (*params.signals, *(("timeout",) if params.timeout else ()))

    def required_handles(self, params: WaitAnyParams) -> tuple[str, ...]:
        return self.handles(params)

    def expressions(self, params: WaitAnyParams) -> list[tuple[str, str]]:
        return value_expressions({"timeout": params.timeout}, "")

    def defines(self, params: WaitAnyParams, handle: str) -> tuple[str, ...]:
        taken = params.variable and handle in params.signals
        return (params.variable,) if taken and params.variable else ()

    def signals_taken(self, params: WaitAnyParams) -> tuple[str, ...]:
        return tuple(params.signals)

    def check(self, node: Node, params: WaitAnyParams, context: CheckContext) -> Iterator[Finding]:
        declared = {signal.name for signal in context.graph.workflow.signals}
        for index, signal in enumerate(params.signals):
            if signal not in declared:
                yield (
                    f"signals.{index}",
                    f"signal {signal!r} is not declared in the workflow settings",
                )

    def emit(
        self,
        emitter: Emitter,
        node: Node,
        params: WaitAnyParams,
        place: Place,
        out: list[ast.stmt],
    ) -> str | None:
        go_on, inner = emitter.merge(node.id, place)
        queues: list[ast.expr] = [item(dotted("self.signals"), signal) for signal in params.signals]
        arrived = call("bool", [ast.BoolOp(op=ast.Or(), values=queues)])
        keywords = timeout_keywords(node, params.timeout)
        wait = expr_stmt(awaited(call("workflow.wait_condition", [thunk(arrived)], **keywords)))
        first = emitter.names.fresh("signal")
        names = ast.Tuple(elts=[const(signal) for signal in params.signals], ctx=ast.Load())
        came = call("_first_arrived", [dotted("self.arrivals"), dotted("self.signals"), names])
        chain: list[ast.stmt] = []
        for signal in reversed(params.signals):
            taken = take_signal(WaitSignalParams(signal=signal, variable=params.variable))
            branch = [taken, *emitter.block(emitter.target(node.id, signal), inner)]
            test = ast.Compare(left=name(first), ops=[ast.Eq()], comparators=[const(signal)])
            chain = branch if not chain else [ast.If(test=test, body=branch, orelse=chain)]
        chain.insert(0, assign(store(first), came))
        if not params.timeout:
            out.extend([wait, *chain])
            return go_on
        on_timeout = emitter.block(emitter.target(node.id, "timeout"), inner)
        timed_out = ast.ExceptHandler(
            type=dotted("asyncio.TimeoutError"), name=None, body=body(on_timeout)
        )
        out.append(ast.Try(body=[wait], handlers=[timed_out], orelse=chain, finalbody=[]))
        return go_on
