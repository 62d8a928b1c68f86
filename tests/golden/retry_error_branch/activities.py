"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError


@activity.defn(name="fail")
async def fail(
    message: str = "failed", error_type: str = "Failure", non_retryable: bool = False
) -> None:
    """Raise an application error with the given message and type.

    Args:
        message: The error message the workflow sees.
        error_type: The error type name, usable in a retry policy's non-retryable types.
        non_retryable: When true, Temporal does not retry the activity.
    """
    raise ApplicationError(message, type=error_type, non_retryable=non_retryable)


ACTIVITIES = [fail]
