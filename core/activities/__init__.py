"""The activity library generated workflows call, and the registry that describes it."""

from core.activities.builtin import (
    BUILTIN_NAMES,
    builtin_function,
    builtin_requirements,
    builtin_source,
)
from core.activities.bundle import bundle_activities_source
from core.activities.errors import ActivityRegistryError
from core.activities.registry import ActivityRegistry, builtin_registry, load_registry
from core.activities.spec import ActivityParam, ActivitySpec

__all__ = [
    "BUILTIN_NAMES",
    "ActivityParam",
    "ActivityRegistry",
    "ActivityRegistryError",
    "ActivitySpec",
    "builtin_function",
    "builtin_registry",
    "builtin_requirements",
    "builtin_source",
    "bundle_activities_source",
    "load_registry",
]
