"""Backup and restore: one file with the database, deployed bundles and Temporal's local state."""

from core.backup.archive import (
    BackupSummary,
    create_backup,
    key_missing,
    read_manifest,
    restore_backup,
)
from core.backup.errors import BackupError

__all__ = [
    "BackupError",
    "BackupSummary",
    "create_backup",
    "key_missing",
    "read_manifest",
    "restore_backup",
]
