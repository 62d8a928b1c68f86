"""Outages told apart from bugs: which errors mean the database or Temporal is down."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy.exc
from temporalio.service import RPCError, RPCStatusCode

from core.db.errors import RecordNotFoundError
from core.outages import DATABASE, TEMPORAL, outage_of
from core.temporal.connection import TemporalConnectionError


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as raised:  # noqa: BLE001 -- building a chained exception to classify
        return raised


def _database_down() -> sqlalchemy.exc.OperationalError:
    return sqlalchemy.exc.OperationalError(
        "SELECT 1", {}, psycopg.OperationalError("connection refused")
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_database_down(), DATABASE),
        (sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("closed")), DATABASE),
        (RuntimeError("a bug"), None),
        (RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b""), TEMPORAL),
        (RPCError("too slow", RPCStatusCode.DEADLINE_EXCEEDED, b""), TEMPORAL),
        (RPCError("no such run", RPCStatusCode.NOT_FOUND, b""), None),
        (TemporalConnectionError("refused", address="localhost:7233"), TEMPORAL),
        (RecordNotFoundError("workflow", 3), None),
        (KeyError("x"), None),
    ],
)
def test_errors_are_classified(error: BaseException, expected: object) -> None:
    assert outage_of(error) is expected


def test_an_outage_is_found_through_the_errors_raised_from_it() -> None:
    wrapped = _raised_from(RuntimeError("listing runs failed"), _database_down())
    assert outage_of(wrapped) is DATABASE
    while_handling = RuntimeError("rendering")
    while_handling.__context__ = RPCError("down", RPCStatusCode.UNAVAILABLE, b"")
    assert outage_of(while_handling) is TEMPORAL


def test_the_notices_say_what_to_check() -> None:
    assert "DATABASE_URL" in DATABASE.check and "tries again" in DATABASE.check
    assert "TEMPORAL_ADDRESS" in TEMPORAL.check and "tries again" in TEMPORAL.check
