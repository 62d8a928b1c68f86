"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

from temporalio import activity
from typing import Any


@activity.defn(name="echo")
async def echo(value: Any) -> Any:
    """Return the value unchanged.

    Args:
        value: Any JSON value; it comes back as it went in.
    """
    return value


ACTIVITIES = [echo]
