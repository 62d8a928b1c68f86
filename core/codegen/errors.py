"""The error raised when a valid graph still cannot be turned into workflow code."""

from __future__ import annotations

from core.errors import WorkflowBuilderError


class CompileError(WorkflowBuilderError):
    """The compiler cannot generate code for a graph (or cannot format what it generated).

    Attributes:
        subject: the node id, field or file at fault ("" for the whole graph).
        reason: what is wrong, in a sentence a user understands.
    """

    def __init__(self, reason: str, *, subject: str = "") -> None:
        self.subject = subject
        self.reason = reason
        super().__init__(f"{subject}: {reason}" if subject else reason)
