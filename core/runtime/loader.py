"""Importing a stored bundle's workflow class and activities so a Temporal worker can run them."""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from temporalio import workflow

from core.activities.spec import activity_name
from core.compiler.bundle import Bundle
from core.errors import WorkflowBuilderError
from core.runtime.bundle_store import StoredBundle

logger = logging.getLogger(__name__)

_path_lock = threading.Lock()


class BundleLoadError(WorkflowBuilderError):
    """A stored bundle cannot be imported or does not define what its manifest says.

    Attributes:
        package: the bundle's package name.
        reason: what went wrong.
    """

    def __init__(self, reason: str, *, package: str) -> None:
        self.package = package
        self.reason = reason
        super().__init__(f"bundle {package}: {reason}")


@dataclass(frozen=True)
class LoadedBundle:
    """A bundle imported into this process, ready to be given to a ``Worker``.

    Attributes:
        package: the package it was imported from.
        workflow_class: the ``@workflow.defn`` class.
        activities: the activity functions of the bundle's ``ACTIVITIES`` list.
        bundle: the bundle it was loaded from (files and manifest).
    """

    package: str
    workflow_class: type
    activities: tuple[Callable[..., Any], ...]
    bundle: Bundle

    @property
    def workflow_type(self) -> str:
        """The Temporal workflow type name."""
        return self.bundle.workflow_type

    @property
    def task_queue(self) -> str:
        """The task queue the bundle was compiled for."""
        return self.bundle.task_queue


@dataclass(frozen=True)
class StepActivities:
    """Activities of a loaded bundle that its steps run on another task queue, where a worker
    registers them without the bundle's workflow.

    Attributes:
        bundle: the deployment's loaded bundle.
        names: the activity names its steps run on that queue, sorted.
    """

    bundle: LoadedBundle
    names: tuple[str, ...]

    @property
    def activities(self) -> tuple[Callable[..., Any], ...]:
        """The bundle's functions of those activities."""
        return tuple(fn for fn in self.bundle.activities if activity_name(fn) in self.names)


def load_bundle(stored: StoredBundle) -> LoadedBundle:
    """Import ``<package>.workflow`` and ``<package>.activities`` of a stored bundle.

    The store's root goes on ``sys.path`` because the workflow sandbox imports the workflow
    module again by name for each run; a module that only sits in ``sys.modules`` fails there.

    Raises:
        BundleLoadError: a module fails to import, the workflow class is missing or is not a
            workflow, or ``ACTIVITIES`` is not a list of named activities.
    """
    _ensure_on_path(str(stored.root))
    manifest = stored.bundle.manifest
    package = stored.package
    workflow_module = _import(f"{package}.workflow", package)
    activities_module = _import(f"{package}.activities", package)
    class_name = str(manifest.get("workflow_class", ""))
    workflow_class = getattr(workflow_module, class_name, None)
    if not isinstance(workflow_class, type):
        raise BundleLoadError(
            f"workflow.py defines no class {class_name!r} (manifest workflow_class)",
            package=package,
        )
    definition = workflow._Definition.from_class(workflow_class)
    if definition is None or definition.name != manifest.get("workflow_type"):
        raise BundleLoadError(
            f"class {class_name} is not @workflow.defn(name={manifest.get('workflow_type')!r})",
            package=package,
        )
    activities = getattr(activities_module, "ACTIVITIES", None)
    if not isinstance(activities, list | tuple):
        raise BundleLoadError("activities.py defines no ACTIVITIES list", package=package)
    unnamed = [repr(fn) for fn in activities if activity_name(fn) is None]
    if unnamed:
        raise BundleLoadError(
            f"ACTIVITIES holds entries that are not named activities: {', '.join(unnamed)}",
            package=package,
        )
    logger.info("loaded bundle %s (workflow type %s)", package, definition.name)
    return LoadedBundle(
        package=package,
        workflow_class=workflow_class,
        activities=tuple(activities),
        bundle=stored.bundle,
    )


def _ensure_on_path(root: str) -> None:
    with _path_lock:
        if root not in sys.path:
            sys.path.insert(0, root)
        # The finders cache folder listings; the package was written after they were made.
        importlib.invalidate_caches()


def _import(module: str, package: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except Exception as exc:  # generated or plugin code may raise anything at import
        raise BundleLoadError(f"cannot import {module}: {exc!r}", package=package) from exc
