"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

from temporalio import activity
import time
from typing import Any


PACE_ACTIVITY = "workflow-builder.pace"
"""The activity type generated workflows call; not a name a graph's step can call."""

PACE_SECONDS = 0.1
"""How long a loop should run between pauses: a twentieth of the deadlock detector's 2 s."""

PACE_GROWTH = 10
"""The most a loop's budget grows at one pause, so one quick stretch cannot size a long one."""

PACE_MAX_BUDGET = 1_000_000
"""The largest budget: a run allows no more loop iterations than this (core.validation)."""

_PACE_LONGEST = 60.0
"""Seconds between two pauses beyond which the time measures something else (a failover)."""


def next_budget(iterations: int, budget: int, elapsed: float | None) -> int:
    """How many iterations fit ``PACE_SECONDS`` at the pace the last ``iterations`` went.

    Args:
        iterations: the iterations run since the last pause.
        budget: the loop's budget until now.
        elapsed: seconds those iterations took (from the end of the last pause to the start
            of this one), or None when not known (a wait on the server in between).

    Returns:
        The next budget: at least 1, at most ``budget * PACE_GROWTH`` and
        ``PACE_MAX_BUDGET``; ``budget`` itself when the time is unknown or implausible.
    """
    if elapsed is None or not 0 < elapsed < _PACE_LONGEST or iterations < 1:
        return budget
    fitting = int(iterations * PACE_SECONDS / elapsed)
    return max(1, min(fitting, budget * PACE_GROWTH, PACE_MAX_BUDGET))


@activity.defn(name=PACE_ACTIVITY)
async def pace_loop(progress: dict[str, Any]) -> dict[str, Any]:
    """Measure the stretch of a loop that just ended and size the next one.

    Args:
        progress: ``iterations`` run since the last pause, the loop's ``budget``, and
            ``since``: the time the last pause ended (its result's ``at``), before the run's
            first pause the time its first workflow task started (the server's clock: a
            skew between the two clocks misjudges one stretch, by at most PACE_GROWTH), or
            None when not known.

    Returns:
        ``budget``: the loop's next budget; ``at``: the time this pause ended (wall clock:
        the next pause may run in another worker process).
    """
    began = time.time()
    since = progress.get("since")
    elapsed = began - since if isinstance(since, int | float) else None
    budget = next_budget(int(progress["iterations"]), int(progress["budget"]), elapsed)
    return {"budget": budget, "at": time.time()}


ACTIVITIES = [pace_loop]
