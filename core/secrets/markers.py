"""The secret markers generated code passes to activities, and their resolution in the worker.

A compiled activity call that uses secrets carries, in place of each value, a marker such as
``{"$secret": "crm_token", "before": "Bearer "}``, and a list of where the markers are. Code
of compiler version 4 on calls an activity with one input object and lists them in its field
``"$secret_paths": [[["headers", "Authorization"], "crm_token"]]``; the object's keys are
constants of the compiled code, so data cannot add that field. Older code passes positional
arguments and one extra trailing argument ``{"$secret_paths": [[[2, "Authorization"],
"crm_token"]]}``; a call can never pass more arguments than the activity has parameters, so
data cannot add that one either. Only the listed places are resolved: data from a run's
input cannot forge a marker that would be resolved (and sent wherever that data points).
Which form a call has is known from the code that made it, never read from its data.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from temporalio.exceptions import ApplicationError

#: Key of a marker object; its value is the secret's name.
MARKER = "$secret"
#: Marker keys of the text computed in the workflow around the value.
BEFORE = "before"
AFTER = "after"
#: The input object's field (older code: the key of the trailing argument) listing every marker
#: of the call.
PATHS = "$secret_paths"

#: Gives the value of a secret by name; raises :class:`UnknownSecretError` when there is none.
SecretLookup = Callable[[str], str]


class UnknownSecretError(LookupError):
    """No secret of this name exists where the worker looks (database or environment)."""

    def __init__(self, name: str, *, where: str = "") -> None:
        self.name = name
        super().__init__(f"secret {name!r} does not exist{where}")


class SecretUnreadableError(Exception):
    """A stored secret cannot be decrypted (the worker's key is not the one that encrypted it)."""


_arity_cache: dict[Any, int] = {}


def carries_secrets(fn: Callable[..., Any], args: Sequence[Any]) -> bool:
    """Whether a call's arguments end with the secret paths its compiled code put there."""
    if not args or type(args[-1]) is not dict or PATHS not in args[-1]:
        return False
    return len(args) == _arity(fn) + 1


def input_carries_secrets(args: Sequence[Any]) -> bool:
    """Whether the arguments of a call that passes one input object list secret paths in it."""
    return len(args) == 1 and type(args[0]) is dict and PATHS in args[0]


def resolve_input(args: Sequence[Any], lookup: SecretLookup | None) -> list[Any]:
    """A one-input-object call's arguments with the paths field dropped and each listed
    marker resolved.

    Raises:
        ApplicationError: as :func:`resolve_arguments`.
    """
    fields = dict(args[0])
    _resolve(fields, fields.pop(PATHS), lookup)
    return [fields]


def resolve_arguments(
    fn: Callable[..., Any], args: Sequence[Any], lookup: SecretLookup | None
) -> list[Any]:
    """The call's arguments with the paths argument dropped and each listed marker resolved.

    Raises:
        ApplicationError: non-retryable, naming the secret, when it does not exist, cannot
            be read, or the text around it is not text.
    """
    resolved = list(args[:-1])
    _resolve(resolved, args[-1][PATHS], lookup)
    return resolved


def _resolve(arguments: Any, paths: Any, lookup: SecretLookup | None) -> None:
    """Replace the marker at each of ``paths`` (from the top of ``arguments``) by its value."""
    for path, name in paths:
        container: Any = arguments
        for step in path[:-1]:
            container = container[step]
        marker = container[path[-1]]
        if not (isinstance(marker, dict) and marker.get(MARKER) == name):
            raise ApplicationError(
                f"the call's secret {name!r} is not where its code put it",
                type="SecretReferenceError",
                non_retryable=True,
            )
        container[path[-1]] = (
            _text(marker, BEFORE, name) + _value(name, lookup) + _text(marker, AFTER, name)
        )


def _value(name: str, lookup: SecretLookup | None) -> str:
    if lookup is None:
        raise ApplicationError(
            f"secret {name!r} cannot be resolved: this worker has no secret store",
            type="MissingSecret",
            non_retryable=True,
        )
    try:
        return lookup(name)
    except UnknownSecretError as error:
        raise ApplicationError(
            f"{error}; an admin can create it on the Secrets page",
            type="MissingSecret",
            non_retryable=True,
        ) from None
    except SecretUnreadableError as error:
        raise ApplicationError(str(error), type="SecretUnreadable", non_retryable=True) from None


def _text(marker: dict[str, Any], key: str, name: str) -> str:
    part = marker.get(key, "")
    if not isinstance(part, str):
        raise ApplicationError(
            f"the text joined to secret {name!r} must be text, not {type(part).__name__}",
            type="TypeError",
            non_retryable=True,
        )
    return part


def _arity(fn: Callable[..., Any]) -> int:
    # Activities take a fixed list of positional parameters (core.activities.spec checks it).
    count = _arity_cache.get(fn)
    if count is None:
        count = _arity_cache[fn] = len(inspect.signature(fn).parameters)
    return count
