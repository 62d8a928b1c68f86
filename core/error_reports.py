"""Unexpected errors: the traceback goes to the log under a short id, the user gets the id."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: Hex digits of an error id: short enough to read out, enough to tell a day's errors apart.
ID_LENGTH = 8


@dataclass(frozen=True)
class ErrorReport:
    """What the user is told about an unexpected error, once its traceback is logged.

    Attributes:
        error_id: the id of the log record with the traceback.
        message: a short sentence naming the id; no exception text (it may hold paths or data).
    """

    error_id: str
    message: str


def new_error_id() -> str:
    """A random error id, ``ID_LENGTH`` hex digits."""
    return secrets.token_hex(ID_LENGTH // 2)


def error_message(error_id: str) -> str:
    """The sentence a user sees for error ``error_id``."""
    return f"Something went wrong (error {error_id}); the log has the details."


def report_unexpected(error: BaseException, *, where: str) -> ErrorReport:
    """Log ``error`` with its traceback and a new error id; return what to show instead.

    Args:
        error: the exception nobody expected (not a ``WorkflowBuilderError`` a page shows).
        where: what was running (a page, a fragment), for the log line.
    """
    error_id = new_error_id()
    logger.error(
        "unexpected error %s in %s: %s",
        error_id,
        where,
        type(error).__name__,
        exc_info=error,
    )
    return ErrorReport(error_id, error_message(error_id))
