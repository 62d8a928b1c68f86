"""The activity registry: built-in activities plus those found in plugin modules."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from core.activities.builtin import (
    BUILTIN_NAMES,
    builtin_function,
    builtin_heartbeat_timeout,
    builtin_local_by_default,
    builtin_module_name,
    builtin_requirements,
)
from core.activities.errors import ActivityRegistryError
from core.activities.spec import ActivitySpec, activity_name, spec_from_function

logger = logging.getLogger(__name__)


class ActivityRegistry:
    """An immutable set of activity specs, keyed by activity type name."""

    def __init__(self, specs: Iterable[ActivitySpec]) -> None:
        """Build a registry from specs.

        Raises:
            ActivityRegistryError: Two specs share a name.
        """
        self._specs: dict[str, ActivitySpec] = {}
        for spec in specs:
            existing = self._specs.get(spec.name)
            if existing is not None:
                raise ActivityRegistryError(
                    f"activity {spec.name!r} is already defined by {_origin(existing)}",
                    module=spec.module,
                )
            self._specs[spec.name] = spec

    def get(self, name: str) -> ActivitySpec | None:
        """Return the spec of activity ``name``, or None when there is none."""
        return self._specs.get(name)

    def names(self) -> tuple[str, ...]:
        """Return all activity names, sorted."""
        return tuple(sorted(self._specs))

    def specs(self) -> tuple[ActivitySpec, ...]:
        """Return all specs in name order."""
        return tuple(self._specs[name] for name in self.names())

    def functions(self) -> list[Callable[..., Any]]:
        """Return the activity callables, in name order, to pass to a Temporal ``Worker``."""
        return [spec.fn for spec in self.specs()]


def builtin_registry() -> ActivityRegistry:
    """Return a registry of Workflow Builder's built-in activities only."""
    return ActivityRegistry(_builtin_specs())


def load_registry(plugin_modules: Sequence[str] = ()) -> ActivityRegistry:
    """Return the built-ins plus every named ``@activity.defn`` function in the plugin modules.

    Args:
        plugin_modules: Import paths (as listed in ``WB_ACTIVITY_MODULES``); blank
            entries are ignored. Each module must be importable through ``sys.path``.

    Returns:
        The combined registry.

    Raises:
        ActivityRegistryError: A module cannot be imported, defines no activity, or
            defines an activity whose name a built-in or another plugin already uses.
    """
    specs = _builtin_specs()
    for module_name in (m.strip() for m in plugin_modules):
        if module_name:
            specs.extend(_plugin_specs(module_name, known=specs))
    return ActivityRegistry(specs)


def _builtin_specs() -> list[ActivitySpec]:
    return [
        spec_from_function(
            builtin_function(name),
            module=builtin_module_name(name),
            builtin=True,
            requirements=builtin_requirements(name),
            heartbeat_timeout=builtin_heartbeat_timeout(name),
            local_by_default=builtin_local_by_default(name),
        )
        for name in BUILTIN_NAMES
    ]


def _plugin_specs(module_name: str, *, known: list[ActivitySpec]) -> list[ActivitySpec]:
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # plugin code runs here and may raise anything at import
        raise ActivityRegistryError(f"cannot be imported: {exc!r}", module=module_name) from exc
    known_fns = {spec.name: spec.fn for spec in known}
    specs: list[ActivitySpec] = []
    for attribute in sorted(vars(module)):
        fn = getattr(module, attribute)
        name = activity_name(fn)
        # The same function under a second attribute, or a re-exported built-in, is not new.
        if name is None or known_fns.get(name) is fn or any(s.fn is fn for s in specs):
            continue
        spec = spec_from_function(fn, module=module_name, builtin=False)
        clash = next((s for s in [*known, *specs] if s.name == spec.name), None)
        if clash is not None:
            raise ActivityRegistryError(
                f"activity {spec.name!r} (function {attribute!r}) collides with "
                f"the one defined by {_origin(clash)}",
                module=module_name,
            )
        specs.append(spec)
    if not specs:
        raise ActivityRegistryError(
            "defines no @activity.defn function with a name", module=module_name
        )
    logger.info(
        "loaded %d activities from %s: %s",
        len(specs),
        module_name,
        ", ".join(s.name for s in specs),
    )
    return specs


def _origin(spec: ActivitySpec) -> str:
    return "the built-in activities" if spec.builtin else f"plugin module {spec.module!r}"
