"""Built-in activity ``echo``: returns its argument unchanged."""

from __future__ import annotations

from typing import Any

from temporalio import activity


@activity.defn(name="echo")
async def echo(value: Any) -> Any:
    """Return the value unchanged.

    Args:
        value: Any JSON value; it comes back as it went in.
    """
    return value
