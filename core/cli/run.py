"""`python -m core run`: compile a graph, run it once on an in-process worker, print the result."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.errors import GraphFormatError, WorkflowBuilderError

EXIT_OK, EXIT_FAILED, EXIT_BAD, EXIT_INTERRUPTED = 0, 1, 2, 130


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `run` subcommand to the `python -m core` parser."""
    parser = subparsers.add_parser(
        "run",
        help="compile a graph and run it once, printing its result as JSON",
        description=(
            "Compile GRAPH (and the graphs in its folder that it starts as child workflows), "
            "load them on a worker in this process, start one run with --input and print its "
            "result as JSON. Exits 1 when the graph cannot run or the run fails, 2 when the graph "
            "or the input cannot be read or is refused, 130 when interrupted. Uses "
            "TEMPORAL_ADDRESS, or the embedded dev server when it is unset; "
            "WB_ACTIVITY_MODULES adds plugin activities."
        ),
    )
    parser.add_argument("graph", metavar="GRAPH", type=Path, help="workflow graph JSON file")
    parser.add_argument(
        "--input",
        default="{}",
        metavar="JSON",
        help='workflow input as a JSON object, e.g. \'{"name": "Ann"}\', or @FILE to read it '
        "from a file (default: {})",
    )
    parser.add_argument(
        "--task-queue",
        metavar="Q",
        help="task queue to run on (default: the graph's, else WB_DEFAULT_TASK_QUEUE)",
    )
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Run the graph; print the result (exit 0), the failure and its causes (exit 1), or what
    is wrong with the graph file or the input (exit 2)."""
    from core.config import load_settings
    from core.executions import RunInputError
    from core.graph.names import task_queue_problem
    from core.limits import InputLimitError
    from core.runtime.runner import RunFailedError, run_graph_file
    from core.signals import stop_on_signals

    queue_problem = args.task_queue is not None and task_queue_problem(args.task_queue)
    if queue_problem:
        return _fail(f"--task-queue: {queue_problem}", EXIT_BAD)
    try:
        workflow_input = input_argument(args.input)
    except OSError as error:
        return _fail(f"--input {args.input}: cannot read the file ({error.strerror})", EXIT_BAD)
    except InputLimitError as error:
        source = args.input if args.input.startswith("@") else "JSON"
        return _fail(f"--input {source}: {error}", EXIT_BAD)
    try:
        outcome = run_graph_file(
            args.graph,
            input=workflow_input,
            settings=load_settings(),
            task_queue=args.task_queue,
            stop=stop_on_signals(),
        )
    except KeyboardInterrupt:
        return _fail("interrupted; the run's temporary files are removed", EXIT_INTERRUPTED)
    except RunFailedError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    except (GraphFormatError, RunInputError, InputLimitError) as exc:
        return _fail(str(exc), EXIT_BAD)
    except WorkflowBuilderError as exc:
        return _fail(str(exc), EXIT_FAILED)
    print(f"workflow {outcome.workflow_id} completed on {outcome.task_queue}", file=sys.stderr)
    print(json.dumps(outcome.result, ensure_ascii=False), flush=True)
    return EXIT_OK


def input_argument(argument: str) -> dict[str, Any]:
    """The workflow input an ``--input`` argument gives: JSON text, or ``@FILE`` holding it.

    Raises:
        OSError: the file cannot be read.
        InputLimitError: malformed JSON, not an object, or over an input limit (with where).
    """
    from core.limits import check_payload, read_file, read_input, require_object

    where = "input"
    text = read_file(Path(argument[1:])) if argument.startswith("@") else argument
    value = dict(require_object(read_input(text, where=where), where=where))
    check_payload(value, where=where)
    return value


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
