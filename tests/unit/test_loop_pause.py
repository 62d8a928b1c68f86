"""The loop pause's activity: how it measures a loop's stretch and sizes the next one."""

from __future__ import annotations

import asyncio
import time

import pytest

from core.activities.pacing import (
    PACE_GROWTH,
    PACE_MAX_BUDGET,
    PACE_SECONDS,
    next_budget,
    pace_loop,
)
from core.bounds import LOOP_FIRST_BUDGET
from core.validation import MAX_LOOP_ITERATIONS


def test_the_budget_fits_the_target_time_at_the_pace_measured() -> None:
    # 1,000 iterations in 0.4 s: 250 fit a tenth of a second.
    assert next_budget(1000, 1000, 0.4) == int(1000 * PACE_SECONDS / 0.4)
    # Slower than the target for one iteration: pause after each.
    assert next_budget(1, 1000, 5.0) == 1


def test_the_budget_grows_at_most_tenfold_a_pause_and_never_past_a_run_s_iterations() -> None:
    assert next_budget(1000, 1000, 0.0001) == 1000 * PACE_GROWTH
    assert next_budget(900_000, 900_000, 0.0001) == PACE_MAX_BUDGET == MAX_LOOP_ITERATIONS


@pytest.mark.parametrize("elapsed", [None, 0.0, -0.5, 61.0])
def test_an_unknown_or_implausible_time_keeps_the_budget(elapsed: float | None) -> None:
    # None: the loop's first pause, or a wait on the server since the last; a negative or huge
    # one: clocks of two worker processes (the next pause may run elsewhere).
    assert next_budget(1000, 1234, elapsed) == 1234
    assert next_budget(0, 1234, 0.05) == 1234


def test_the_activity_measures_from_the_end_of_the_last_pause() -> None:
    progress = {"iterations": LOOP_FIRST_BUDGET, "budget": LOOP_FIRST_BUDGET, "since": None}
    first = asyncio.run(pace_loop(progress))
    assert first["budget"] == LOOP_FIRST_BUDGET
    assert abs(first["at"] - time.time()) < 5
    # A stretch of 1,000 iterations that took half a second ends at 200.
    since = time.time() - 0.5
    second = asyncio.run(pace_loop({"iterations": 1000, "budget": 1000, "since": since}))
    assert 150 <= second["budget"] <= 200
