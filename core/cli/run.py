"""`python -m core run`: compile a graph, run it once on an in-process worker, print the result."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import WorkflowBuilderError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `run` subcommand to the `python -m core` parser."""
    parser = subparsers.add_parser(
        "run",
        help="compile a graph and run it once, printing its result as JSON",
        description=(
            "Compile GRAPH (and the graphs in its folder that it starts as child workflows), "
            "load them on a worker in this process, start one run with --input and print its "
            "result as JSON. Exits 1 when the run fails. Uses TEMPORAL_ADDRESS, or the embedded "
            "dev server when it is unset; WB_ACTIVITY_MODULES adds plugin activities."
        ),
    )
    parser.add_argument("graph", metavar="GRAPH", type=Path, help="workflow graph JSON file")
    parser.add_argument(
        "--input",
        default="{}",
        metavar="JSON",
        help='workflow input as a JSON object, e.g. \'{"name": "Ann"}\' (default: {})',
    )
    parser.add_argument(
        "--task-queue",
        metavar="Q",
        help="task queue to run on (default: the graph's, else WB_DEFAULT_TASK_QUEUE)",
    )
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Run the graph; print the result (exit 0) or the failure and its causes (exit 1)."""
    from core.config import load_settings
    from core.runtime.runner import RunFailedError, run_graph_file

    try:
        workflow_input = json.loads(args.input)
    except json.JSONDecodeError as exc:
        print(f"error: --input is not JSON: {exc}", file=sys.stderr)
        return 1
    if not isinstance(workflow_input, dict):
        print("error: --input must be a JSON object of input fields", file=sys.stderr)
        return 1
    try:
        outcome = run_graph_file(
            args.graph, input=workflow_input, settings=load_settings(), task_queue=args.task_queue
        )
    except RunFailedError as exc:
        print(exc, file=sys.stderr)
        return 1
    except WorkflowBuilderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"workflow {outcome.workflow_id} completed on {outcome.task_queue}", file=sys.stderr)
    print(json.dumps(outcome.result, ensure_ascii=False), flush=True)
    return 0
