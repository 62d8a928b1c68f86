"""Waiting out an outage (the database, Temporal): back off, log what waits, and when it is back."""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)


class Outage:
    """One loop's view of a service being away (the database by default).

    Each failed attempt returns how long to wait before the next (doubling up to a cap); the
    first one logs a warning that names what is waiting, later ones log again at most every
    ``remind_every`` seconds, and the first success after them logs how long it lasted.

    Args:
        waiting: what waits, for the log ("heartbeats", "deployment updates of queue Q").
        what: what is away, for the log.
        first_delay: seconds before the first retry.
        max_delay: the longest wait between retries.
        remind_every: seconds between log lines while the outage lasts.
    """

    def __init__(
        self,
        waiting: str,
        *,
        what: str = "database",
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        remind_every: float = 60.0,
    ) -> None:
        self._waiting = waiting
        self._what = what
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._remind_every = remind_every
        self._since: float | None = None
        self._attempts = 0
        self._logged_at = 0.0
        self._back_at: float | None = None

    @property
    def down(self) -> bool:
        """Whether the last attempt failed."""
        return self._since is not None

    def failed(self, error: BaseException) -> float:
        """Record a failed attempt; return the seconds to wait before the next one."""
        now = time.monotonic()
        self._attempts += 1
        delay = min(self._max_delay, self._first_delay * 2 ** (self._attempts - 1))
        if self._since is None:
            self._since = now
            self._logged_at = now
            logger.warning(
                "%s unavailable (%s): %s wait for it, retrying with backoff",
                self._what,
                error_summary(error),
                self._waiting,
            )
        elif now - self._logged_at >= self._remind_every:
            self._logged_at = now
            logger.warning(
                "%s still unavailable after %.0f s (%s): %s wait, next try in %g s",
                self._what,
                now - self._since,
                error_summary(error),
                self._waiting,
                delay,
            )
        return delay

    def recovered(self) -> None:
        """Record a successful attempt; the first after an outage logs how long it lasted."""
        if self._since is None:
            return
        now = time.monotonic()
        logger.warning(
            "%s reachable again after %.1f s: %s resumed",
            self._what,
            now - self._since,
            self._waiting,
        )
        self._since = None
        self._attempts = 0
        self._back_at = now

    def back_for(self) -> float | None:
        """Seconds since the service came back after the last outage (None if none was seen)."""
        return None if self._back_at is None else time.monotonic() - self._back_at


def error_summary(error: BaseException) -> str:
    """The first line of a driver error: its cause, without the statement and links after it."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
