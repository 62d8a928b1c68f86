"""Crash restart backoff: doubling delays capped at the maximum."""

from core.fleet import RestartPolicy


def test_delays_double_from_the_first_and_stop_growing_at_the_cap():
    policy = RestartPolicy(first_delay=0.5, max_delay=3.0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_default_restarts_wait_1_2_4_8_16_seconds():
    policy = RestartPolicy()
    delays = [policy.delay(n) for n in range(1, policy.max_restarts + 1)]
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0]
