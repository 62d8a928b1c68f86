"""The error raised when activities cannot be registered, looked up or bundled."""

from __future__ import annotations

from core.errors import WorkflowBuilderError


class ActivityRegistryError(WorkflowBuilderError):
    """An activity module or name is unusable: not importable, empty, colliding or unknown.

    Attributes:
        module: the import path of the module at fault, when one is.
        reason: what is wrong, in a sentence a user understands.
    """

    def __init__(self, reason: str, *, module: str | None = None) -> None:
        self.reason = reason
        self.module = module
        super().__init__(f"activity module {module!r}: {reason}" if module else reason)
