"""Run starts per user: a sliding minute, the time to wait, thread safety, the process exempt."""

from __future__ import annotations

import threading

import pytest

from core.auth import SYSTEM, Actor, Role
from core.executions import RunError, RunRateLimitedError, admit_run_start
from core.rate_limit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_limit_in_any_minute_then_waits_for_the_oldest():
    clock = Clock()
    limiter = RateLimiter(3, clock=clock)
    for _ in range(3):
        assert limiter.acquire("ann") == 0.0
        clock.now += 10
    assert limiter.acquire("ann") == pytest.approx(30.0)  # the first one leaves at 1060
    assert limiter.acquire("bo") == 0.0  # another user has a limit of their own
    clock.now = 1059.9
    assert limiter.acquire("ann") == pytest.approx(0.1)  # refusals do not count
    clock.now = 1060.0
    assert limiter.acquire("ann") == 0.0
    assert limiter.acquire("ann") > 0


def test_zero_means_no_limit():
    limiter = RateLimiter(0)
    assert all(limiter.acquire("ann") == 0.0 for _ in range(1000))


def test_threads_racing_get_exactly_the_limit():
    limiter = RateLimiter(50)
    admitted: list[bool] = []
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        for _ in range(40):
            admitted.append(limiter.acquire("ann") == 0.0)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted.count(True) == 50


def test_a_user_over_the_limit_is_told_when_to_try_again():
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    ann = Actor("ann", Role.OPERATOR)
    admit_run_start(limiter, ann)
    clock.now += 15.2
    admit_run_start(limiter, ann)
    with pytest.raises(RunRateLimitedError) as refused:
        admit_run_start(limiter, ann)
    assert isinstance(refused.value, RunError)
    assert refused.value.retry_after == pytest.approx(44.8)
    assert str(refused.value) == (
        "too many runs started: at most 2 a minute per user; try again in 45 s"
    )


def test_the_process_itself_is_not_limited():
    limiter = RateLimiter(1)
    for _ in range(5):
        admit_run_start(limiter, SYSTEM)
    # Only the process's own actor: a user who happens to be called "system" is limited.
    impostor = Actor("system", Role.ADMIN)
    admit_run_start(limiter, impostor)
    with pytest.raises(RunRateLimitedError):
        admit_run_start(limiter, impostor)
