"""``python -m core demo [--remove]``: fill the dashboard with demo workflows and runs, or
take them away again."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.errors import WorkflowBuilderError

EXIT_OK, EXIT_FAILED = 0, 1


def register(subparsers: Any) -> None:
    """Add the ``demo`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "demo",
        help="deploy the examples as demo_* workflows and drive a mix of runs (or --remove)",
        description=(
            "Deploy the examples under demo_ names and drive a realistic mix of runs "
            "(successes, failures, retries, signals, timeouts, children, scheduled runs) so the "
            "dashboard has something to show; waits for them to finish (about a minute). "
            "Uses the app's database (DATABASE_URL) and Temporal (TEMPORAL_ADDRESS, or the "
            "app's embedded server when it is up). Exit 0 when done, 1 on failure."
        ),
    )
    parser.add_argument(
        "--remove",
        action="store_true",
        help="delete the demo workflows, their schedules and their run records",
    )
    parser.add_argument(
        "--size", type=int, default=6, metavar="N", help="rounds of 21 runs (default: 6)"
    )
    parser.add_argument(
        "--spread",
        type=float,
        default=45.0,
        metavar="S",
        help="seconds the rounds are spread over (default: 45)",
    )
    parser.add_argument(
        "--keep-records",
        action="store_true",
        help="with --remove: keep the demo's run records (default: purge them)",
    )
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    """Load or remove the demo data; print what was done."""
    import dataclasses

    from core.config import load_settings
    from core.demo import DemoData
    from core.services import build_services
    from core.temporal import attach_temporal

    settings = load_settings()
    try:
        # The app's embedded server when it is up, so the app sees the same runs.
        endpoint = attach_temporal(settings)
    except WorkflowBuilderError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    settings = dataclasses.replace(settings, temporal_address=endpoint.settings.temporal_address)
    services = build_services(settings)
    try:
        demo = DemoData(services)
        if args.remove:
            lines = demo.remove(purge=not args.keep_records).lines()
        else:
            report = demo.load(
                size=args.size, spread=args.spread, progress=lambda line: print(line, flush=True)
            )
            lines = report.lines()
        print("\n".join(lines))
        return EXIT_OK
    except WorkflowBuilderError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        # Workers and clients must stop before the interpreter finalises, or it may crash.
        services.close()
        endpoint.stop()
