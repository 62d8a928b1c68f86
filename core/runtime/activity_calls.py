"""The activities a worker registers for its bundles: one per name, routed where bundles differ.

Bundles carry their own copies of the built-ins and a queue's worker serves several
deployments at once, so several bundles define the same activity name, and a worker registers
one function per name. While the copies agree on how a call passes its arguments, the first
serves them all. Bundles of compiler version 4 on call each activity with one input object,
older ones with positional arguments; when a worker serves both (an older version draining
beside a newer one), the name gets a router instead. It runs the copy of the bundle whose
workflow type scheduled the call: ``activity.info().workflow_type``, which Temporal sets,
never the call's data.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from temporalio import activity
from temporalio.converter import value_to_type

from core.activities.spec import activity_name
from core.errors import WorkflowBuilderError
from core.runtime.loader import LoadedBundle

#: A bundle and the activity functions of it that a worker serves.
ActivitySource = tuple[LoadedBundle, Sequence[Callable[..., Any]]]


class ActivityRoutingError(WorkflowBuilderError):
    """Two bundles' copies of one activity cannot be served by one router."""


class Callee(NamedTuple):
    """What one call of a registered activity runs.

    Attributes:
        fn: the bundle's activity function.
        input_object: whether the call passes one input object (the parameters by name)
            rather than positional arguments.
    """

    fn: Callable[..., Any]
    input_object: bool


class ServedActivities:
    """The functions a worker registers for ``sources``, and what each call of them runs.

    Args:
        sources: the bundles served, each with its activity functions, first served first.

    Raises:
        ActivityRoutingError: copies of one activity that need a router are synchronous in
            one bundle and async in another.
    """

    def __init__(self, sources: Sequence[ActivitySource]) -> None:
        copies: dict[str, list[tuple[LoadedBundle, Callable[..., Any]]]] = {}
        for bundle, functions in sources:
            for fn in functions:
                copies.setdefault(activity_name(fn) or "", []).append((bundle, fn))
        self._callees: dict[Callable[..., Any], Callee] = {}
        self._routers: dict[Callable[..., Any], _Router] = {}
        registered: list[Callable[..., Any]] = []
        for name, found in copies.items():
            first_bundle, first = found[0]
            if all(b.bundle.input_objects == first_bundle.bundle.input_objects for b, _ in found):
                self._callees[first] = Callee(first, first_bundle.bundle.input_objects)
                registered.append(first)
            else:
                router = _Router(name, found)
                self._routers[router.function] = router
                registered.append(router.function)
        self.functions: tuple[Callable[..., Any], ...] = tuple(registered)

    def callee(self, registered: Callable[..., Any]) -> Callee:
        """What the running call of ``registered`` runs (call it inside the activity)."""
        router = self._routers.get(registered)
        if router is not None:
            return router.callee()
        return self._callees.get(registered) or Callee(registered, False)


class _Router:
    """One registered function for an activity whose copies pass arguments differently."""

    def __init__(self, name: str, copies: list[tuple[LoadedBundle, Callable[..., Any]]]) -> None:
        self._by_type: dict[str, Callee] = {}
        for bundle, fn in copies:
            self._by_type.setdefault(bundle.workflow_type, Callee(fn, bundle.bundle.input_objects))
        first_bundle, first = copies[0]
        # A workflow type this worker does not run (its code is not here): the newest copy.
        self._default = Callee(first, first_bundle.bundle.input_objects)
        kinds = {inspect.iscoroutinefunction(fn) for _, fn in copies}
        if len(kinds) > 1:
            packages = ", ".join(sorted({b.package for b, _ in copies}))
            raise ActivityRoutingError(
                f"activity {name!r} is async in some of the bundles {packages} and "
                "synchronous in others; redeploy the older ones"
            )
        route: Callable[..., Any]
        # *args: Temporal then decodes the arguments without type hints; each copy's own
        # hints are applied once the copy is known (_typed), as Temporal would have.
        if kinds == {True}:

            async def route(*args: Any) -> Any:
                callee = self.callee()
                return await callee.fn(*_typed(callee.fn, args))

        else:

            def route(*args: Any) -> Any:
                callee = self.callee()
                return callee.fn(*_typed(callee.fn, args))

        self.function = activity.defn(name=name)(route)

    def callee(self) -> Callee:
        return self._by_type.get(activity.info().workflow_type or "", self._default)


def _typed(fn: Callable[..., Any], args: Sequence[Any]) -> list[Any]:
    """``args`` converted to ``fn``'s parameter hints, where Temporal would have converted them:
    when there are as many as it has parameters."""
    hints = _positional_hints(fn)
    if len(hints) != len(args):
        return list(args)
    return [value_to_type(hint, value) for hint, value in zip(hints, args, strict=True)]


@functools.cache
def _positional_hints(fn: Callable[..., Any]) -> tuple[Any, ...]:
    hints = typing.get_type_hints(fn)
    return tuple(hints.get(name, Any) for name in inspect.signature(fn).parameters)
