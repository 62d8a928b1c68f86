"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

import json
import logging
from temporalio import activity
from temporalio.exceptions import ApplicationError


_LOG_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


@activity.defn(name="log")
async def log(message: str, level: str = "info", fields: dict | None = None) -> None:
    """Write a structured log line through the activity logger.

    Args:
        message: The text of the line.
        level: One of debug, info, warning, error.
        fields: Extra key/value pairs, appended to the line as sorted JSON and attached
            to the log record as ``fields``.
    """
    levelno = _LOG_LEVELS.get(level.lower())
    if levelno is None:
        raise ApplicationError(
            f"log level {level!r} is not one of {', '.join(_LOG_LEVELS)}",
            type="InvalidLogLevel",
            non_retryable=True,
        )
    line = message
    if fields:
        # Sorted JSON keeps the line greppable and identical across runs.
        line = f"{message} {json.dumps(fields, sort_keys=True, default=str)}"
    activity.logger.log(levelno, line, extra={"fields": dict(fields or {})})


ACTIVITIES = [log]
