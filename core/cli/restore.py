"""``python -m core restore FILE``: a backup into an empty data folder and database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``restore`` subcommand to the ``python -m core`` parser."""
    parser = subparsers.add_parser(
        "restore",
        help="restore a backup into an empty data folder and database",
        description=(
            "Restore a file written by `backup` into the installation the environment names "
            "(WB_DATA_DIR, DATABASE_URL, DEPLOY_DIR), which must be empty: the data folder may "
            "hold only logs/ and the secret key file, the database no tables. Stop the app "
            "first. Copy the secret key in (or set WB_SECRET_KEY) for the stored secrets to be "
            "readable. Exit 0 done, 1 failed."
        ),
    )
    parser.add_argument("file", type=Path, help="a backup file")
    parser.set_defaults(handler=restore_command)


def restore_command(args: argparse.Namespace) -> int:
    """Restore the backup and say what came back; 0 on success, 1 on failure."""
    from core.backup import key_missing, restore_backup
    from core.config import load_settings
    from core.errors import WorkflowBuilderError
    from core.secrets.keys import key_file

    try:
        settings = load_settings()
        summary = restore_backup(settings, args.file)
    except WorkflowBuilderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"restored {args.file} (taken {summary.created_at}) into {settings.data_dir}")
    print(summary.describe())
    if summary.temporal and settings.temporal_address is not None:
        print(
            "the embedded server's file was not restored: TEMPORAL_ADDRESS names a cluster; "
            "the app re-creates the schedules there when it starts"
        )
    if summary.secrets and key_missing(settings):
        print(
            f"warning: {summary.secrets} secrets need the key they were stored with: copy it "
            f"to {key_file(settings)} (or set WB_SECRET_KEY) before starting the app, which "
            "otherwise makes a new key that cannot read them"
        )
    return 0
