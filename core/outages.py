"""Outages of the database or Temporal, told apart from bugs: a page says what is down and what
to check instead of showing an error id, and tries again by itself."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy.exc
from temporalio.service import RPCError, RPCStatusCode

from core.temporal.connection import TemporalConnectionError
from core.temporal.dev_server import EmbeddedServerError

#: Seconds between a page's attempts while a service is down.
RETRY_SECONDS = 5


@dataclass(frozen=True)
class Outage:
    """A service that is down, as a page tells it.

    Attributes:
        service: ``database`` or ``Temporal``.
        headline: one sentence: what is unavailable.
        check: what to check, and that the page tries again by itself.
    """

    service: str
    headline: str
    check: str


DATABASE = Outage(
    "database",
    "The database is unavailable.",
    "Check that the database DATABASE_URL names is running and reachable (for the embedded "
    "SQLite file: that the data folder is writable and its disk not full). Runs already started "
    f"go on in Temporal. This page tries again every {RETRY_SECONDS} seconds.",
)
TEMPORAL = Outage(
    "Temporal",
    "Temporal is unavailable.",
    "Check that the Temporal server TEMPORAL_ADDRESS names is running and reachable (the "
    "embedded server restarts by itself within seconds; its log is temporal-server.log in the "
    f"data folder). This page tries again every {RETRY_SECONDS} seconds.",
)

#: What SQLAlchemy raises while the database cannot be reached (refused, dropped, timed out, a
#: SQLite file that cannot be opened: it wraps the driver's errors in these): worth waiting
#: for, unlike a bad query. Pages say so; workers wait it out (core.fleet.outage).
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,
)
_UNREACHABLE = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


def outage_of(error: BaseException) -> Outage | None:
    """The outage behind ``error`` (it or any exception it was raised from), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DATABASE_UNAVAILABLE):
            return DATABASE
        if isinstance(current, TemporalConnectionError | EmbeddedServerError):
            return TEMPORAL
        if isinstance(current, RPCError) and current.status in _UNREACHABLE:
            return TEMPORAL
        current = current.__cause__ or current.__context__
    return None
