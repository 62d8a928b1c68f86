"""``python -m core backup FILE``: the database, deployed bundles and Temporal's local state."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``backup`` subcommand to the ``python -m core`` parser."""
    parser = subparsers.add_parser(
        "backup",
        help="write the database, deployed bundles and Temporal's local state to one file",
        description=(
            "Write one .tar.gz holding the database (SQLite's online backup, or pg_dump for "
            "PostgreSQL), the deployed bundles (DEPLOY_DIR) and, when the app runs the "
            "embedded Temporal server, its persistence file. Safe while the app and workers "
            "run. The secret key (WB_SECRET_KEY or secret.key in the data folder) is not "
            "included: back it up separately. Exit 0 done, 1 failed."
        ),
    )
    parser.add_argument("file", type=Path, help="the backup file to write (must not exist)")
    parser.set_defaults(handler=backup_command)


def backup_command(args: argparse.Namespace) -> int:
    """Write the backup and say what it holds; 0 on success, 1 on failure."""
    from core.backup import create_backup
    from core.config import load_settings
    from core.errors import WorkflowBuilderError
    from core.secrets.keys import key_file

    try:
        settings = load_settings()
        summary = create_backup(settings, args.file)
    except WorkflowBuilderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"backup written to {args.file}")
    print(summary.describe())
    if summary.secrets:
        where = "WB_SECRET_KEY" if settings.secret_key else str(key_file(settings))
        print(
            f"not included: the secret key ({where}); without it the {summary.secrets} stored "
            "secrets cannot be read after a restore. Keep a copy of it apart from the backup."
        )
    return 0
