"""The while/until loop node: runs its body while a condition holds (or until it holds), at
most ``max_iterations`` times; on the main path it continues as new when the history fills."""

from __future__ import annotations

import ast
from typing import Literal

from pydantic import Field

from core.codegen.blocks import Emitter, LoopFrame, Place
from core.codegen.references import expression
from core.codegen.steps import at, awaits, loop_budget, loop_pacing, sized, step_marker
from core.codegen.syntax import assign, call, const, name, parse_statements, store
from core.expressions import run_time_bounds
from core.graph.analysis import continue_node
from core.graph.model import Node
from core.graph.values import ExpressionText
from core.nodes.kind import InspectorHints, NodeKind, Params

#: Temporal warns at 10,240 history events and ends a run at 51,200.
DEFAULT_HISTORY_LIMIT = 10_000


class WhileParams(Params):
    """Params of a while/until loop node."""

    condition: ExpressionText = Field(
        description="Checked before each iteration, e.g. count < 10; a variable not set yet "
        "reads None"
    )
    mode: Literal["while", "until"] = Field(
        default="while", description="while: loop while true; until: stop once true"
    )
    max_iterations: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="The run fails if the loop would run its body more often (over every "
        "continued run)",
    )
    continue_as_new_after: int = Field(
        default=DEFAULT_HISTORY_LIMIT,
        ge=20,
        le=40_000,
        description="History events after which the run continues as new, at the top of an "
        "iteration (a loop on the main path only)",
    )


#: Module-level code of graphs with a while loop: where a run continued as new resumes.
_HELPERS = '''
def _restore(state: Any, resume: Any) -> None:
    """Start from what the run that continued as new carried (before any signal is handled)."""
    state.resume = resume
    if resume is not None:
        state.vars = resume["vars"]
        state.signals = resume["signals"]


def _resumes(state: Any, loop: str) -> bool:
    """Whether this run goes on with ``loop``, where the run before it continued as new."""
    return state.resume is not None and state.resume["loop"] == loop


def _resumed_iteration(state: Any, loop: str) -> int:
    """How many iterations ``loop`` ran in the runs before this one (0 when it starts)."""
    if not _resumes(state, loop):
        return 0
    iteration = state.resume["iteration"]
    state.resume = None
    return iteration


def _history_full(limit: int) -> bool:
    """Whether the run should continue as new: Temporal suggests it, or ``limit`` events."""
    info = workflow.info()
    return info.is_continue_as_new_suggested() or info.get_current_history_length() >= limit


def _carried(state: Any, loop: str, iteration: int) -> dict[str, Any]:
    """What the next run starts from: variables, signals not yet taken, the loop's place."""
    return {"loop": loop, "iteration": iteration, "vars": state.vars, "signals": state.signals}
'''


class WhileKind(NodeKind[WhileParams]):
    type = "while_loop"
    title = "While / until"
    description = (
        "Runs the body while a condition is true (or until it is); the body's last edge "
        "returns here."
    )
    hints = InspectorHints(
        icon="autorenew",
        canvas_icon="arrow-clockwise",
        colour="#0F766E",
        starter_params={"condition": "count < 10", "mode": "while", "max_iterations": 100},
    )
    params_model = WhileParams
    role = "loop"
    loop_statement = True
    fixed_handles = ("body", "done")
    onward_handle = "done"
    unset_reads_none_fields = frozenset({"condition"})
    helpers = _HELPERS
    continues_as_new = True

    def expressions(self, params: WhileParams) -> list[tuple[str, str]]:
        return [("condition", params.condition)]

    def iteration_limit(self, params: WhileParams) -> int | None:
        return params.max_iterations

    def emit(
        self, emitter: Emitter, node: Node, params: WhileParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        count = emitter.names.fresh("iteration")
        loop_id = const(node.id)
        resumable = on_main_path(place)
        if resumable:
            # A run continued as new goes straight to this loop: what came before it ran in
            # an earlier run (the marker of this step stays, so errors name it).
            before, marker = out[:-1], out[-1]
            if before:
                skip = ast.UnaryOp(op=ast.Not(), operand=call("_resumes", [name("self"), loop_id]))
                out[:] = [ast.If(test=skip, body=before, orelse=[]), marker]
            out.append(assign(store(count), call("_resumed_iteration", [name("self"), loop_id])))
        else:
            out.append(assign(store(count), const(0)))
        # Read as in a query: a variable the body sets is None before its first iteration.
        test = expression(params.condition, where=at(node, "condition"), in_query=True)
        if params.mode == "while":
            test = ast.UnaryOp(op=ast.Not(), operand=test)
        frame = LoopFrame(continue_id=continue_node(node.id), collect=())
        inner = Place(
            stops=frozenset({frame.continue_id}),
            fallthrough=frame.continue_id,
            loops=(*place.loops, frame),
        )
        body = emitter.block(emitter.target(node.id, "body"), inner)
        full = continue_as_new(node.id, count, params.continue_as_new_after) if resumable else []
        # A body that never waits adds no history between two pauses, so checking the history
        # after each pause instead of each iteration continues as new at the same point, and
        # spares such an iteration the SDK calls that were half its cost (bench/README.md).
        at_pause = bool(full) and run_time_bounds() and not awaits(body)
        iteration = [*loop_pacing(node.id, then=full if at_pause else ()), step_marker(node.id)]
        if not at_pause:
            iteration.extend(full)
        iteration.append(ast.If(test=test, body=[ast.Break()], orelse=[]))
        iteration.extend(too_many_iterations(count, params.max_iterations))
        iteration.extend(body)
        out.extend(loop_budget(node.id))
        out.append(ast.While(test=const(True), body=iteration, orelse=[]))
        return emitter.target(frame.continue_id, "done")


def on_main_path(place: Place) -> bool:
    """Whether a block at ``place`` is the run's own sequence of steps: not inside a branch,
    a loop body or a parallel branch (where a run cannot go straight back to)."""
    return not place.stops and not place.loops


def continue_as_new(loop_id: str, count: str, limit: int) -> list[ast.stmt]:
    """At a full history, continue as new once every signal handler has finished."""
    carried = sized(call("_carried", [name("self"), const(loop_id), name(count)]))
    go_on = call(
        "workflow.continue_as_new",
        args=ast.List(elts=[ast.parse("self.input", mode="eval").body, carried], ctx=ast.Load()),
    )
    wait = parse_statements("await workflow.wait_condition(workflow.all_handlers_finished)")
    return [
        ast.If(
            test=call("_history_full", [const(int(limit))]),
            body=[*wait, ast.Expr(value=go_on)],
            orelse=[],
        )
    ]


def too_many_iterations(count: str, limit: int) -> list[ast.stmt]:
    """Fail the run naming the step when the body would run more than ``limit`` times."""
    # Both are compiler-made: a synthetic local name and an int from the validated params.
    template = (
        "if COUNT >= LIMIT:\n"
        "    raise ApplicationError(\n"
        "        f'step {self.step!r}: the loop would run more than LIMIT times '\n"
        "        '(max_iterations)',\n"
        "        type='TooManyIterations',\n"
        "        non_retryable=True,\n"
        "    )\n"
        "COUNT += 1\n"
    )
    return parse_statements(template.replace("COUNT", count).replace("LIMIT", str(int(limit))))
