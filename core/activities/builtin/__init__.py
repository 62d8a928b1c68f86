"""The built-in activities: one self-contained module each, copied verbatim into bundles.

Each ``<name>.py`` here imports only the standard library, ``temporalio`` and, for
``http_request``, ``httpx``, never ``core``, so that an exported bundle runs with only
those installed. All of them use the same import style so that their sources can be
merged into one module (see :mod:`core.activities.bundle`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib import resources

from core.activities.errors import ActivityRegistryError

BUILTIN_NAMES: tuple[str, ...] = ("echo", "fail", "http_request", "log")
"""Names of the built-in activities; each is also the name of its module here."""

_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    # Pinned to the version the test suite runs against (a unit test checks they agree).
    "http_request": ("httpx==0.28.1",),
}

_HEARTBEAT_TIMEOUTS: dict[str, str] = {
    # A request may take minutes (MAX_SECONDS), heartbeating every second meanwhile; when its
    # worker dies, the attempt is retried after this, not after the step's start-to-close
    # timeout. Long enough that a busy worker's late heartbeat does not cost a retry.
    "http_request": "10s",
}

#: Built-ins that finish at once and change nothing outside the run: a step calling one runs
#: as a local activity unless the graph says otherwise (``core.nodes.kinds.activity``).
#: ``fail`` qualifies too but stays regular: it is there to show Temporal's retries and
#: failures, and as a local step its attempts would fold into one marker and the run's
#: failure would lose its "Activity task failed" layer.
_LOCAL_BY_DEFAULT: frozenset[str] = frozenset({"echo"})


def _check_name(name: str) -> None:
    if name not in BUILTIN_NAMES:
        raise ActivityRegistryError(
            f"{name!r} is not a built-in activity (built-ins: {', '.join(BUILTIN_NAMES)})"
        )


def builtin_module_name(name: str) -> str:
    """Return the import path of the module that defines built-in activity ``name``.

    Raises:
        ActivityRegistryError: ``name`` is not a built-in activity.
    """
    _check_name(name)
    return f"{__name__}.{name}"


def builtin_function(name: str) -> Callable:
    """Return the ``@activity.defn`` function of built-in activity ``name``.

    Raises:
        ActivityRegistryError: ``name`` is not a built-in activity.
    """
    module = importlib.import_module(builtin_module_name(name))
    return getattr(module, name)


def builtin_source(name: str) -> str:
    """Return the source text of the module that defines built-in activity ``name``.

    Raises:
        ActivityRegistryError: ``name`` is not a built-in activity.
    """
    _check_name(name)
    return resources.files(__name__).joinpath(f"{name}.py").read_text(encoding="utf-8")


def builtin_requirements(name: str) -> tuple[str, ...]:
    """Return the pip requirements built-in activity ``name`` needs besides temporalio.

    Raises:
        ActivityRegistryError: ``name`` is not a built-in activity.
    """
    _check_name(name)
    return _REQUIREMENTS.get(name, ())


def builtin_heartbeat_timeout(name: str) -> str | None:
    """Return the heartbeat timeout of built-in activity ``name`` (a duration such as ``"10s"``),
    or None when it does not heartbeat (it finishes at once).

    Raises:
        ActivityRegistryError: ``name`` is not a built-in activity.
    """
    _check_name(name)
    return _HEARTBEAT_TIMEOUTS.get(name)


def builtin_local_by_default(name: str) -> bool:
    """Whether a step calling built-in activity ``name`` runs as a local activity by default.

    Raises:
        ActivityRegistryError: ``name`` is not a built-in activity.
    """
    _check_name(name)
    return name in _LOCAL_BY_DEFAULT
