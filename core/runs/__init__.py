"""Operating runs: the run monitor, traces of runs over their graphs, and the runs console."""

from core.runs.console import (
    ANY_RUN,
    BULK_LIMIT,
    BulkResult,
    PendingActivity,
    RunDetail,
    RunNotFoundError,
    RunsConsole,
)
from core.runs.monitor import MonitorSettings, PassReport, RunMonitor, trigger_of
from core.runs.trace import Call, NodeRun, NodeState, RunTrace, TimelineItem, build_trace
from core.runs.tracer import RunTracer

__all__ = [
    "ANY_RUN",
    "BULK_LIMIT",
    "BulkResult",
    "Call",
    "MonitorSettings",
    "NodeRun",
    "NodeState",
    "PassReport",
    "PendingActivity",
    "RunDetail",
    "RunMonitor",
    "RunNotFoundError",
    "RunTrace",
    "RunTracer",
    "RunsConsole",
    "TimelineItem",
    "build_trace",
    "trigger_of",
]
