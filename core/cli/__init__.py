"""The ``python -m core`` command line: one module per subcommand, each with ``register``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: Subcommand modules, in the order ``--help`` lists them.
SUBCOMMANDS = (
    "validate",
    "compile",
    "run",
    "worker",
    "server",
    "runs",
    "health",
    "demo",
    "backup",
    "restore",
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Workflow Builder: validate, compile and run workflow graphs on Temporal.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"core.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code.

    Logging is set up as ``WB_LOG_FORMAT`` / ``WB_LOG_LEVEL`` say; a subcommand that serves
    (a worker) sets ``default_log_level`` to INFO, the others log warnings and worse.
    """
    args = build_parser().parse_args(argv)
    _setup_logging(getattr(args, "default_log_level", "WARNING"))
    return int(args.handler(args))


def _setup_logging(default_level: str) -> None:
    from core.config import load_settings
    from core.errors import WorkflowBuilderError
    from core.logs import setup_logging

    try:
        settings = load_settings()
    except WorkflowBuilderError:
        settings = None  # the subcommand reports the bad variable itself
    setup_logging(settings, default_level=default_level)


if __name__ == "__main__":  # pragma: no cover - `python -m core.cli` is not the entry point
    sys.exit(main())
