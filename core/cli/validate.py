"""``python -m core validate GRAPH.json``: print OK or one line per problem."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.errors import GraphFormatError, WorkflowBuilderError

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="check a workflow graph and list every problem",
        description=(
            "Check a workflow-builder/1 graph. Prints OK, or one line per problem "
            "('node <id>: <field>: <message>'). Exit 0 when valid, 1 when not, 2 when the "
            "file cannot be read."
        ),
    )
    parser.add_argument("graph", type=Path, help="the graph JSON file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate ``args.graph`` and print the outcome."""
    from core.activities import load_registry
    from core.config import load_settings
    from core.graph import load_graph
    from core.limits import read_file
    from core.validation import validate

    try:
        graph = load_graph(read_file(args.graph))
    except OSError as error:
        return _unreadable(args, [(str(args.graph), error.strerror or str(error))])
    except GraphFormatError as error:
        return _unreadable(args, list(error.problems))
    try:
        registry = load_registry(load_settings().activity_modules)
    except WorkflowBuilderError as error:
        return _unreadable(args, [("activities", str(error))])
    problems = validate(graph, registry=registry)
    if args.json:
        payload = {
            "valid": not problems,
            "problems": [
                {"scope": p.scope, "id": p.subject, "field": p.field, "message": p.message}
                for p in problems
            ],
        }
        print(json.dumps(payload, indent=2))
    elif problems:
        for problem in problems:
            print(problem)
    else:
        print("OK")
    return EXIT_INVALID if problems else EXIT_VALID


def _unreadable(args: argparse.Namespace, problems: list[tuple[str, str]]) -> int:
    if args.json:
        payload = {"valid": False, "error": [{"where": w, "message": m} for w, m in problems]}
        print(json.dumps(payload, indent=2))
    else:
        for where, message in problems:
            print(f"{args.graph}: {where}: {message}", file=sys.stderr)
    return EXIT_UNREADABLE
