"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

from collections.abc import Callable
import functools
import inspect
from temporalio import activity
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError
import time
from typing import Any
import typing


@activity.defn(name="echo")
async def echo(value: Any) -> Any:
    """Return the value unchanged.

    Args:
        value: Any JSON value; it comes back as it went in.
    """
    return value


# The field listing where secret markers stand; a Workflow Builder worker resolves and removes
# it before the activity runs (core.secrets.markers.PATHS).
_SECRET_PATHS = "$secret_paths"


def input_object_activity(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Activity ``name``: takes one input object, calls ``function`` with its fields by name.

    The wrapper is async when the function is, else synchronous (the worker runs it on a
    thread, as it would the function itself).
    """
    if inspect.iscoroutinefunction(function):

        async def call_async(input: dict[str, Any]) -> Any:
            return await function(**keyword_arguments(function, input))

        return activity.defn(name=name)(call_async)

    def call(input: dict[str, Any]) -> Any:
        return function(**keyword_arguments(function, input))

    return activity.defn(name=name)(call)


def keyword_arguments(function: Callable[..., Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of an activity's input object as keyword arguments of ``function``.

    Each value is converted to its parameter's type hint, as Temporal converts positional
    arguments. Parameters left out get the function's own defaults.

    Raises:
        ApplicationError: non-retryable, naming the field, when the input is not an object,
            a field is not a parameter of the function or its value does not fit the hint.
    """
    if not isinstance(fields, dict):
        raise _invalid(f"the input must be a JSON object, not {type(fields).__name__}")
    if _SECRET_PATHS in fields:
        raise _invalid(
            "the call reads secrets, which only a Workflow Builder worker resolves",
            error_type="MissingSecret",
        )
    hints = _parameter_hints(function)
    arguments: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in hints:
            raise _invalid(f"{function.__name__}() has no parameter {name!r}")
        try:
            arguments[name] = value_to_type(hints[name], value)
        except TypeError as err:
            raise _invalid(f"field {name!r}: {err}") from None
    return arguments


@functools.cache
def _parameter_hints(function: Callable[..., Any]) -> dict[str, Any]:
    # Resolving string annotations takes tens of microseconds; a worker calls one function often.
    hints = typing.get_type_hints(function)
    return {name: hints.get(name, Any) for name in inspect.signature(function).parameters}


def _invalid(message: str, *, error_type: str = "InvalidActivityInput") -> ApplicationError:
    # The same input fails every attempt the same way: retrying cannot help.
    return ApplicationError(message, type=error_type, non_retryable=True)


PACE_ACTIVITY = "workflow-builder.pace"
"""The activity type generated workflows call; not a name a graph's step can call."""

PACE_SECONDS = 0.1
"""How long a loop should run between pauses: a twentieth of the deadlock detector's 2 s."""

PACE_GROWTH = 10
"""The most a loop's budget grows at one pause, so one quick stretch cannot size a long one."""

PACE_MAX_BUDGET = 1_000_000
"""The largest budget: a run allows no more loop iterations than this (core.validation)."""

_PACE_LONGEST = 60.0
"""Seconds between two pauses beyond which the time measures something else (a failover)."""


def next_budget(iterations: int, budget: int, elapsed: float | None) -> int:
    """How many iterations fit ``PACE_SECONDS`` at the pace the last ``iterations`` went.

    Args:
        iterations: the iterations run since the last pause.
        budget: the loop's budget until now.
        elapsed: seconds those iterations took (from the end of the last pause to the start
            of this one), or None when not known (a wait on the server in between).

    Returns:
        The next budget: at least 1, at most ``budget * PACE_GROWTH`` and
        ``PACE_MAX_BUDGET``; ``budget`` itself when the time is unknown or implausible.
    """
    if elapsed is None or not 0 < elapsed < _PACE_LONGEST or iterations < 1:
        return budget
    fitting = int(iterations * PACE_SECONDS / elapsed)
    return max(1, min(fitting, budget * PACE_GROWTH, PACE_MAX_BUDGET))


@activity.defn(name=PACE_ACTIVITY)
async def pace_loop(progress: dict[str, Any]) -> dict[str, Any]:
    """Measure the stretch of a loop that just ended and size the next one.

    Args:
        progress: ``iterations`` run since the last pause, the loop's ``budget``, and
            ``since``: the time the last pause ended (its result's ``at``), before the run's
            first pause the time its first workflow task started (the server's clock: a
            skew between the two clocks misjudges one stretch, by at most PACE_GROWTH), or
            None when not known.

    Returns:
        ``budget``: the loop's next budget; ``at``: the time this pause ended (wall clock:
        the next pause may run in another worker process).
    """
    began = time.time()
    since = progress.get("since")
    elapsed = began - since if isinstance(since, int | float) else None
    budget = next_budget(int(progress["iterations"]), int(progress["budget"]), elapsed)
    return {"budget": budget, "at": time.time()}


ACTIVITIES = [input_object_activity("echo", echo), pace_loop]
