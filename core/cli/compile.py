"""``python -m core compile GRAPH.json --out DIR``: write the bundle's files into DIR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import GraphFormatError, WorkflowBuilderError

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compile`` subcommand."""
    parser = subparsers.add_parser(
        "compile",
        help="compile a workflow graph into a runnable worker bundle",
        description=(
            "Compile a workflow-builder/1 graph into workflow.py, activities.py, worker.py and "
            "manifest.json in DIR (created if needed; existing bundle files are overwritten). "
            "Run the worker with `python DIR/worker.py`. Exit 0 on success, 1 when the graph "
            "is invalid or cannot be compiled, 2 when a file cannot be read or written."
        ),
    )
    parser.add_argument("graph", type=Path, help="the graph JSON file")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the bundle to")
    parser.add_argument(
        "--version", type=int, help="deployment version: the workflow type becomes NAME_vVERSION"
    )
    parser.add_argument(
        "--task-queue",
        default="workflow-builder",
        help="task queue when the graph sets none (default: %(default)s)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compile ``args.graph`` into ``args.out``; print what was written or what is wrong."""
    from core.activities import load_registry
    from core.compiler import compile_graph
    from core.config import load_settings
    from core.graph import load_graph
    from core.limits import read_file
    from core.validation import GraphInvalidError

    try:
        graph = load_graph(read_file(args.graph))
        registry = load_registry(load_settings().activity_modules)
    except OSError as error:
        return _fail(f"{args.graph}: {error.strerror or error}", EXIT_UNREADABLE)
    except GraphFormatError as error:
        return _fail(f"{args.graph}: cannot read the graph:\n{error}", EXIT_UNREADABLE)
    except WorkflowBuilderError as error:
        return _fail(f"activities: {error}", EXIT_UNREADABLE)
    try:
        bundle = compile_graph(
            graph, registry=registry, version=args.version, default_task_queue=args.task_queue
        )
    except GraphInvalidError as error:
        return _fail(f"{args.graph}: the graph is not valid:\n{error}", EXIT_INVALID)
    except WorkflowBuilderError as error:
        return _fail(f"{args.graph}: cannot compile: {error}", EXIT_INVALID)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, text in bundle.files.items():
            (args.out / name).write_text(text, encoding="utf-8")
    except OSError as error:
        return _fail(f"{args.out}: {error.strerror or error}", EXIT_UNREADABLE)
    print(
        f"compiled {bundle.workflow_type} (task queue {bundle.task_queue}) into {args.out}: "
        + ", ".join(bundle.files)
    )
    return EXIT_OK


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
