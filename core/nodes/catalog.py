"""The node catalog: every node kind by its type, in palette order.

Adding a kind is one module in ``core.nodes.kinds`` plus its line here; validation, the
compiler and the builder's inspector all dispatch through this mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.nodes.kind import NodeKind
from core.nodes.kinds.activity import ActivityKind
from core.nodes.kinds.break_loop import BreakLoopKind
from core.nodes.kinds.child_workflow import ChildWorkflowKind
from core.nodes.kinds.condition import ConditionKind
from core.nodes.kinds.continue_loop import ContinueLoopKind
from core.nodes.kinds.end import EndKind
from core.nodes.kinds.fail import FailKind
from core.nodes.kinds.join import JoinKind
from core.nodes.kinds.loop import LoopKind
from core.nodes.kinds.parallel import ParallelKind
from core.nodes.kinds.parallel_loop import ParallelLoopKind
from core.nodes.kinds.set_variable import SetVariableKind
from core.nodes.kinds.start import StartKind
from core.nodes.kinds.switch import SwitchKind
from core.nodes.kinds.timer import TimerKind
from core.nodes.kinds.wait_any import WaitAnyKind
from core.nodes.kinds.wait_signal import WaitSignalKind
from core.nodes.kinds.wait_until import WaitUntilKind
from core.nodes.kinds.while_loop import WhileKind

#: Every kind by its type; a node's params are parsed by its own kind's model, so ``Any`` here.
CATALOG: Mapping[str, NodeKind[Any]] = {
    kind.type: kind
    for kind in (
        StartKind(),
        ActivityKind(),
        ConditionKind(),
        SwitchKind(),
        ParallelKind(),
        JoinKind(),
        LoopKind(),
        WhileKind(),
        BreakLoopKind(),
        ContinueLoopKind(),
        ParallelLoopKind(),
        TimerKind(),
        WaitSignalKind(),
        WaitUntilKind(),
        WaitAnyKind(),
        SetVariableKind(),
        ChildWorkflowKind(),
        EndKind(),
        FailKind(),
    )
}


def child_workflow(node_type: object, params: Mapping[str, Any]) -> str | None:
    """The workflow a node of ``node_type`` starts as a child, by name, read from its raw
    ``params`` (a draft's too); None when its kind starts none or the params name none."""
    kind = CATALOG.get(node_type) if isinstance(node_type, str) else None
    param = kind.child_workflow_param if kind is not None else None
    name = params.get(param) if param is not None else None
    return name if isinstance(name, str) else None
