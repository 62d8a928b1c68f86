"""Identifiers of generated code: checked user names and synthetic local names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.codegen.errors import CompileError
from core.graph.names import is_identifier, is_workflow_name


def workflow_type(name: str, version: int | None) -> str:
    """The Temporal workflow type: ``name``, or ``name_v<version>`` for a deployed version."""
    _check(name, is_workflow_name, "workflow name")
    if version is None:
        return name
    if type(version) is not int or version < 1:
        raise CompileError(
            f"version must be a positive integer, not {version!r}", subject="version"
        )
    return f"{name}_v{version}"


def class_name(name: str) -> str:
    """``order_approval`` -> ``OrderApprovalWorkflow``.

    The suffix keeps the class clear of every name the module imports (a workflow called
    ``retry_policy`` would otherwise shadow ``RetryPolicy``).
    """
    _check(name, is_workflow_name, "workflow name")
    return "".join(part.capitalize() for part in name.split("_")) + "Workflow"


def signal_method(signal: str) -> str:
    """Method name of a signal handler: ``approve`` -> ``on_approve``."""
    return "on_" + _check(signal, is_identifier, "signal name")


def query_method(query: str) -> str:
    """Method name of a query handler: ``progress`` -> ``query_progress``."""
    return "query_" + _check(query, is_identifier, "query name")


def update_method(update: str) -> str:
    """Method name of a workflow update handler: ``deposit`` -> ``update_deposit``."""
    return "update_" + _check(update, is_identifier, "update name")


def validator_method(update: str) -> str:
    """Method name of a workflow update's validator: ``deposit`` -> ``validate_deposit``."""
    return "validate_" + _check(update, is_identifier, "update name")


def _check(text: str, rule: Callable[[object], bool], what: str) -> str:
    # Validation checked these already (same rules); the compiler checks again because they
    # become code.
    if not rule(text):
        raise CompileError(f"{text!r} is not a valid {what}", subject=what)
    return text


@dataclass
class LocalNames:
    """Hands out synthetic local names (``branch_1``, ``items_2``), never derived from ids."""

    _counts: dict[str, int] = field(default_factory=dict)

    def fresh(self, prefix: str) -> str:
        """The next unused name with this prefix."""
        count = self._counts.get(prefix, 0) + 1
        self._counts[prefix] = count
        return f"{prefix}_{count}"
