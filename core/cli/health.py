"""``python -m core health``: is the database, Temporal, the workers, schedules, run monitor ok?

Exit 0 healthy, 1 degraded, 2 down. It starts nothing: no worker, no monitor, no server.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``health`` subcommand to the ``python -m core`` parser."""
    parser = subparsers.add_parser(
        "health",
        help="check the database, Temporal, workers, schedules and the run monitor",
        description=(
            "Check the database (DATABASE_URL) and its migrations, Temporal (TEMPORAL_ADDRESS, "
            "or the app's embedded server, which this never starts) and its namespace, a live "
            "worker for every deployed task queue, schedules matching Temporal, and the run "
            "monitor's lag. Each check prints its status, what it found and the next step. "
            "Exit 0 healthy, 1 degraded, 2 down."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.set_defaults(handler=health_command)


def health_command(args: argparse.Namespace) -> int:
    """Print every check; return 0, 1 or 2 for ok, degraded, down."""
    from core.config import load_settings
    from core.errors import WorkflowBuilderError
    from core.health import Check, HealthReport, Status, check_health

    try:
        report = check_health(load_settings())
    except WorkflowBuilderError as error:  # a setting is unusable: nothing could be checked
        report = HealthReport(
            (Check("settings", Status.DOWN, str(error), "fix the environment variable named"),)
        )
    if args.json:
        payload = {
            "status": report.status.value,
            "checks": [
                {
                    "name": check.name,
                    "status": check.status.value,
                    "finding": check.finding,
                    "next_step": check.next_step,
                }
                for check in report.checks
            ],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        width = max(len(check.name) for check in report.checks)
        for check in report.checks:
            print(f"{check.status.value:<8}  {check.name:<{width}}  {check.finding}")
            if check.next_step:
                print(f"{'':<8}  {'':<{width}}  next: {check.next_step}")
        print(f"overall: {report.status.value}")
    return report.status.exit_code
