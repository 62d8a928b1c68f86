"""Activity descriptions (name, parameters, return type) read from a function's signature."""

from __future__ import annotations

import collections.abc
import inspect
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from temporalio import activity

from core.activities.errors import ActivityRegistryError

_SIMPLE_TYPES: dict[Any, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    dict: "object",
    collections.abc.Mapping: "object",
    collections.abc.MutableMapping: "object",
    list: "array",
    tuple: "array",
    collections.abc.Sequence: "array",
    type(None): "null",
}
_ARG_LINE = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class ActivityParam:
    """One parameter of an activity (a field of its input object).

    Attributes:
        name: The parameter name in the function signature.
        type: One of ``string``, ``number``, ``integer``, ``boolean``, ``object``,
            ``array``, ``any``.
        required: True when the parameter has no default.
        default: The default value when there is one, else None.
        description: From the docstring's ``Args:`` section, or empty.
    """

    name: str
    type: str
    required: bool
    default: Any = None
    description: str = ""


@dataclass(frozen=True)
class ActivitySpec:
    """What the builder and the compiler need to know about one activity.

    Attributes:
        name: The Temporal activity type name.
        description: The first line of the function's docstring.
        params: The parameters in the function's order (the fields of its input object).
        returns: The return type, named like a parameter type, or ``null`` for None.
        module: The import path of the module the function is loaded from.
        builtin: True for Workflow Builder's own activities (copied into bundles).
        requirements: Extra pip requirements a bundle using it needs (built-ins only).
        fn: The ``@activity.defn`` callable; left out of equality, hashing and repr.
        heartbeat_timeout: For an activity that heartbeats while it works (a duration such
            as ``"10s"``), how long Temporal waits for a heartbeat before it counts the
            attempt lost and retries it; None for activities that do not heartbeat.
        local_by_default: For an activity that finishes at once and changes nothing outside
            the run (built-ins only): a step calling it runs as a local activity unless the
            graph says otherwise.
    """

    name: str
    description: str
    params: tuple[ActivityParam, ...]
    returns: str
    module: str
    builtin: bool
    requirements: tuple[str, ...]
    fn: Callable[..., Any] = field(compare=False, hash=False, repr=False)
    heartbeat_timeout: str | None = None
    local_by_default: bool = False


def activity_name(fn: Any) -> str | None:
    """Return the activity type name of an ``@activity.defn`` callable, else None.

    Dynamic activities (no name) also give None: a graph cannot name them.
    """
    # temporalio has no public accessor for the definition the decorator attaches.
    definition = activity._Definition.from_callable(fn) if callable(fn) else None
    return definition.name if definition else None


def spec_from_function(
    fn: Callable[..., Any],
    *,
    module: str,
    builtin: bool,
    requirements: tuple[str, ...] = (),
    heartbeat_timeout: str | None = None,
    local_by_default: bool = False,
) -> ActivitySpec:
    """Describe an ``@activity.defn`` function from its signature, type hints and docstring.

    Args:
        fn: The decorated activity function.
        module: The import path it is loaded from.
        builtin: Whether it is a Workflow Builder built-in.
        requirements: Extra pip requirements it needs.
        heartbeat_timeout: How long Temporal waits for its heartbeats, if it heartbeats.
        local_by_default: Whether its steps run as local activities unless a graph says not.

    Returns:
        The activity's spec.

    Raises:
        ActivityRegistryError: ``fn`` is not a named activity, takes ``*args``,
            ``**kwargs`` or positional-only parameters, or its type hints cannot be resolved.
    """
    name = activity_name(fn)
    if name is None:
        raise ActivityRegistryError(
            f"{getattr(fn, '__name__', fn)!r} is not a named @activity.defn function",
            module=module,
        )
    try:
        hints = typing.get_type_hints(fn)
    except Exception as exc:  # an unresolvable annotation can raise nearly anything
        raise ActivityRegistryError(
            f"activity {name!r}: cannot resolve its type hints ({exc})", module=module
        ) from exc
    doc = inspect.getdoc(fn) or ""
    arg_docs = _arg_descriptions(doc)
    params = []
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            what = "positional-only" if param.kind is param.POSITIONAL_ONLY else "variadic"
            raise ActivityRegistryError(
                f"activity {name!r}: parameter {param.name!r} is {what}; activities are "
                "called with one input object, whose fields become keyword arguments",
                module=module,
            )
        required = param.default is param.empty
        params.append(
            ActivityParam(
                name=param.name,
                type=json_type(hints.get(param.name, Any)),
                required=required,
                default=None if required else param.default,
                description=arg_docs.get(param.name, ""),
            )
        )
    return ActivitySpec(
        name=name,
        description=doc.splitlines()[0].strip() if doc else "",
        params=tuple(params),
        returns=json_type(hints.get("return", Any)),
        module=module,
        builtin=builtin,
        requirements=requirements,
        fn=fn,
        heartbeat_timeout=heartbeat_timeout,
        local_by_default=local_by_default,
    )


def json_type(hint: Any) -> str:
    """Name the JSON type a Python type hint stands for; ``any`` when there is no one type.

    ``X | None`` counts as ``X``; bare ``None`` is ``null``.
    """
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        return json_type(members[0]) if len(members) == 1 else "any"
    if hint is None:
        return "null"
    return _SIMPLE_TYPES.get(origin or hint, "any")


def _arg_descriptions(doc: str) -> dict[str, str]:
    """Read ``name: text`` entries (with indented continuation lines) from a Google ``Args:``."""
    descriptions: dict[str, str] = {}
    lines = doc.splitlines()
    try:
        start = [line.strip() for line in lines].index("Args:")
    except ValueError:
        return descriptions
    section_indent = len(lines[start]) - len(lines[start].lstrip())
    entry_indent: int | None = None
    current: str | None = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= section_indent:
            break  # the next section (Returns:, Raises:, ...) or the end of Args:
        if entry_indent is None:
            entry_indent = indent
        match = _ARG_LINE.match(line.strip())
        if indent == entry_indent and match:
            current = match.group(1).lstrip("*")
            descriptions[current] = match.group(2).strip()
        elif current is not None:
            descriptions[current] = f"{descriptions[current]} {line.strip()}".strip()
    return descriptions
