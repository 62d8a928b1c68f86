"""The error a backup or a restore stops with."""

from __future__ import annotations

from core.errors import WorkflowBuilderError


class BackupError(WorkflowBuilderError):
    """A backup cannot be taken or restored; the message says what and where."""
