"""How often one user may do something: a sliding one-minute window per key, shared by threads."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

#: The window the limit counts over, in seconds.
WINDOW_SECONDS = 60.0


class RateLimiter:
    """At most ``per_minute`` acquisitions per key in any ``WINDOW_SECONDS``.

    Args:
        per_minute: the limit per key; 0 means no limit.
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._times: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> float:
        """Count one for ``key`` if it is under the limit.

        Returns:
            0.0 when counted; otherwise the seconds until ``key`` may try again (nothing is
            counted, so a refused attempt does not push that time back).
        """
        if self.per_minute <= 0:
            return 0.0
        now = self._clock()
        # Page sessions run in threads of their own: the check and the count are one step.
        with self._lock:
            times = self._times.setdefault(key, deque())
            while times and times[0] <= now - WINDOW_SECONDS:
                times.popleft()
            if len(times) >= self.per_minute:
                return times[0] + WINDOW_SECONDS - now
            times.append(now)
            return 0.0
