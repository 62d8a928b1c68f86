"""The parallel for-each node: runs its body for every item of a list at the same time, at most
``limit`` at once, each iteration keeping what it sets to itself; the collected values come out
in item order."""

from __future__ import annotations

import ast

from pydantic import Field

from core.codegen.blocks import Emitter, LoopFrame, Place
from core.codegen.references import expression
from core.codegen.steps import at, loop_budget, loop_pacing, variable_target
from core.codegen.syntax import assign, call, const, name, parse_statements, store
from core.graph.analysis import continue_node
from core.graph.model import Node
from core.nodes.kind import InspectorHints
from core.nodes.kinds.loop import LoopKind, LoopParams, too_many_items


class ParallelLoopParams(LoopParams):
    """Params of a parallel for-each node."""

    limit: int = Field(default=5, ge=1, le=100, description="At most this many items at once")
    max_iterations: int = Field(
        default=1000, ge=1, le=10_000, description="A longer list fails the run"
    )


#: An iteration keeps the variables it sets (its item, its steps' results) to itself, over the
#: run's, which it reads as they are now: iterations writing into the run's variables would
#: race, and validation refuses a body step setting a variable set outside the body, so only
#: a signal or workflow update changes one of those while the loop runs (a wait until in the
#: body sees it). An iteration names its own step in a data error; signals, pacing and the
#: rest are the run's. Its step is also the run's: a step marker runs just before the step's
#: call, so the run's step names the step that made each call, as the run page's replay reads
#: it (core.runs.replay).
_HELPERS = '''
class _Variables(dict[str, Any]):
    """An iteration's variables: those it set, over the run's as they are now."""

    def __init__(self, run: dict[str, Any]) -> None:
        super().__init__()
        self.run = run

    def __missing__(self, name: str) -> Any:
        return self.run[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else self.run.get(name, default)


class _Iteration:
    """One iteration of a parallel for-each: its own variables and step, else the run's."""

    def __init__(self, run: Any) -> None:
        self.__dict__.update(run=run, vars=_Variables(run.vars), step=run.step)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["run"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "vars":
            setattr(self.__dict__["run"], name, value)
        if name in ("vars", "step"):
            self.__dict__[name] = value
'''

#: The iteration function; the names in capitals are compiler-made (synthetic names, an int).
_ITERATION = """
async def ITERATION(run: Any, ITEM: Any) -> Any:
    async with SLOTS:
        self = _Iteration(run)
        try:
            pass
        except DATA_ERRORS as err:
            raise _data_error(self.step, err) from err
"""


class ParallelLoopKind(LoopKind):
    type = "parallel_loop"
    title = "Parallel for each"
    description = (
        "Runs the body for every item at the same time, at most limit at once; what an "
        "iteration sets stays its own, and only the collected values come out."
    )
    hints = InspectorHints(
        icon="dynamic_feed",
        canvas_icon="collection-fill",
        colour="#0369A1",
        starter_params={"items": "[1, 2, 3]", "item_variable": "item", "limit": 5},
    )
    params_model = ParallelLoopParams
    isolated_body = True
    # Its body runs in a function, one call per item: no break or continue statement there.
    loop_statement = False
    helpers = _HELPERS

    def emit(
        self, emitter: Emitter, node: Node, params: LoopParams, place: Place, out: list[ast.stmt]
    ) -> str | None:
        assert isinstance(params, ParallelLoopParams)  # parsed by this kind's params model
        items = emitter.names.fresh("items")
        each = emitter.names.fresh("item")
        slots = emitter.names.fresh("slots")
        iteration = emitter.names.fresh("iteration")
        out.append(assign(store(items), expression(params.items, where=at(node, "items"))))
        out.append(too_many_items(items, params.max_iterations))
        out.append(assign(store(slots), call("asyncio.Semaphore", [const(params.limit)])))
        collected: ast.expr = const(None)
        if params.collect is not None:
            collected = expression(params.collect, where=at(node, "collect"))
        frame = LoopFrame(
            continue_id=continue_node(node.id),
            collect=(ast.Return(value=collected),),
            in_function=True,
        )
        # The body runs in the iteration function: no enclosing loop can be continued there.
        inner = Place(
            stops=frozenset({frame.continue_id}), fallthrough=frame.continue_id, loops=(frame,)
        )
        steps = [
            *loop_pacing(node.id),
            assign(variable_target(params.item_variable), name(each)),
            *emitter.block(emitter.target(node.id, "body"), inner),
        ]
        if not isinstance(steps[-1], (ast.Return, ast.Raise)):
            steps.extend(frame.collect)
        template = (
            _ITERATION.replace("ITERATION", iteration).replace("ITEM", each).replace("SLOTS", slots)
        )
        [function] = parse_statements(template)
        guarded = function.body[0].body[1]  # type: ignore[attr-defined]
        guarded.body = steps
        out.append(function)
        out.extend(loop_budget(node.id))
        tasks = ast.ListComp(
            elt=call(name(iteration), [name("self"), name(each)]),
            generators=[
                ast.comprehension(target=store(each), iter=name(items), ifs=[], is_async=0)
            ],
        )
        gathered = ast.Await(value=call("asyncio.gather", [ast.Starred(value=tasks)]))
        if params.result_variable is None:
            out.append(ast.Expr(value=gathered))
        else:
            out.append(assign(variable_target(params.result_variable), call("list", [gathered])))
        return emitter.target(frame.continue_id, "done")
