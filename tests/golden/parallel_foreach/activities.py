"""Built-in activities copied from Workflow Builder; generated, do not edit."""

from __future__ import annotations

from collections.abc import Callable
import functools
import inspect
from temporalio import activity
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError
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


ACTIVITIES = [input_object_activity("echo", echo)]
