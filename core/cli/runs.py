"""``python -m core runs``: list the recorded runs, show one with its steps, cancel or terminate.

The list reads the run records in the database only; ``show``, ``cancel`` and ``terminate`` go
through the runs console, so they need Temporal (``TEMPORAL_ADDRESS``, or the embedded server).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.errors import WorkflowBuilderError

if TYPE_CHECKING:  # the services are imported when a command runs, not at CLI start
    from core.db import Database, ExecutionRecord
    from core.runs import RunDetail
    from core.services import ConsoleServices

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

# The values of core.db.ExecutionStatus and RunTrigger, spelled out so that --help does not
# import the database layer; a unit test keeps them equal.
STATUSES = (
    "running",
    "completed",
    "failed",
    "canceled",
    "terminated",
    "continued_as_new",
    "timed_out",
)
TRIGGERS = ("manual", "schedule", "child", "external")


def register(subparsers: Any) -> None:
    """Add the ``runs`` subcommand (and its own subcommands) to ``subparsers``."""
    parser = subparsers.add_parser(
        "runs",
        help="list recorded runs, show one step by step, cancel or terminate one",
        description=(
            "Runs of managed workflows as the run monitor recorded them (DATABASE_URL). "
            "'list' reads the database only; 'show', 'cancel' and 'terminate' also ask "
            "Temporal (TEMPORAL_ADDRESS, or the embedded dev server). Exit 0 when done, 1 when "
            "the run is not found or Temporal refuses, 2 on a usage error."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser(
        "list", help="the newest runs, filtered", description="The newest runs first."
    )
    listing.add_argument("--workflow", metavar="NAME", help="only runs of this workflow")
    listing.add_argument(
        "--status",
        nargs="+",
        action="extend",
        choices=STATUSES,
        metavar="S",
        help=f"only runs in these statuses ({', '.join(STATUSES)})",
    )
    listing.add_argument(
        "--trigger",
        choices=TRIGGERS,
        metavar="T",
        help=f"only runs started by ({', '.join(TRIGGERS)})",
    )
    listing.add_argument(
        "--limit", type=int, default=50, metavar="N", help="most runs shown (default: 50)"
    )
    listing.add_argument("--json", action="store_true", help="print the runs as JSON")
    listing.set_defaults(handler=list_command)

    show = actions.add_parser(
        "show",
        help="one run: its record and what happened at each step",
        description="A run's record and each node's state, read from its history in Temporal.",
    )
    _run_arguments(show)
    show.add_argument("--json", action="store_true", help="print the run as JSON")
    show.set_defaults(handler=show_command)

    cancel = actions.add_parser(
        "cancel", help="ask a run to cancel", description="Ask an open run to cancel."
    )
    _run_arguments(cancel)
    cancel.set_defaults(handler=cancel_command)

    terminate = actions.add_parser(
        "terminate",
        help="end a run at once",
        description="End an open run at once; the reason is written into its history.",
    )
    _run_arguments(terminate)
    terminate.add_argument("--reason", required=True, metavar="R", help="why (kept in history)")
    terminate.set_defaults(handler=terminate_command)


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow_id", metavar="ID", help="the run's Temporal workflow id")
    parser.add_argument(
        "--run-id", metavar="R", help="which run of that workflow id (default: the newest)"
    )


# Commands ----------------------------------------------------------------------------------


def list_command(args: argparse.Namespace) -> int:
    """Print the newest runs matching the filters, from the database."""
    if args.limit < 1:
        return _usage("--limit must be at least 1")

    def body(database: Database) -> int:
        from core.db import ExecutionFilter, ExecutionStatus, RecordNotFoundError, RunTrigger

        definition_id = None
        if args.workflow:
            try:
                found = database.workflows.get_by_name(args.workflow, include_deleted=True)
            except RecordNotFoundError:
                return _refused(f"no workflow named {args.workflow!r}")
            definition_id = found.id
        filters = ExecutionFilter(
            statuses=tuple(ExecutionStatus(s) for s in args.status) if args.status else None,
            triggers=(RunTrigger(args.trigger),) if args.trigger else None,
            definition_id=definition_id,
        )
        page = database.executions.find(filters, limit=args.limit)
        if args.json:
            payload = {"total": page.total, "runs": [record_json(r) for r in page.items]}
            print(json.dumps(payload, indent=2, ensure_ascii=False))
            return EXIT_OK
        if not page.items:
            print("no runs")
            return EXIT_OK
        _print_table(page.items)
        print(f"{len(page.items)} of {page.total} runs")
        return EXIT_OK

    return _with_database(body)


def show_command(args: argparse.Namespace) -> int:
    """Print a run's record and the state of each node of its graph."""

    def body(services: ConsoleServices) -> int:
        detail = services.console.detail(args.workflow_id, args.run_id)
        if args.json:
            print(json.dumps(detail_json(detail), indent=2, ensure_ascii=False))
        else:
            _print_detail(detail)
        return EXIT_OK

    return _with_services(body)


def cancel_command(args: argparse.Namespace) -> int:
    """Ask a run to cancel."""

    def body(services: ConsoleServices) -> int:
        run_id = args.run_id or _newest_run_id(services, args.workflow_id)
        services.console.cancel(args.workflow_id, run_id)
        print(f"cancel requested for {_name(args.workflow_id, run_id)}")
        return EXIT_OK

    return _with_services(body)


def terminate_command(args: argparse.Namespace) -> int:
    """End a run at once with a reason."""
    if not args.reason.strip():
        return _usage("--reason must say why (it is kept in the run's history)")

    def body(services: ConsoleServices) -> int:
        run_id = args.run_id or _newest_run_id(services, args.workflow_id)
        services.console.terminate(args.workflow_id, run_id, reason=args.reason)
        print(f"terminated {_name(args.workflow_id, run_id)}")
        return EXIT_OK

    return _with_services(body)


# Plumbing ----------------------------------------------------------------------------------


def _with_services(body: Callable[[ConsoleServices], int]) -> int:
    """Run ``body`` with the services built from settings, closed again before returning.

    Closing matters: a process that leaves Temporal clients or workers running can crash while
    the interpreter finalises and exit non-zero after the work was done.
    """
    from core.config import load_settings
    from core.services import build_console

    try:
        services = build_console(load_settings())
    except WorkflowBuilderError as error:
        return _refused(str(error))
    try:
        return body(services)
    except WorkflowBuilderError as error:  # not found, refused by Temporal, Temporal away
        return _refused(str(error))
    finally:
        services.close()


def _with_database(body: Callable[[Database], int]) -> int:
    """Run ``body`` with the configured database (no Temporal), closed again afterwards."""
    from core.config import load_settings
    from core.db import Database

    try:
        database = Database.open(load_settings().database_url)
    except WorkflowBuilderError as error:
        return _refused(str(error))
    try:
        return body(database)
    finally:
        database.close()


def _newest_run_id(services: ConsoleServices, workflow_id: str) -> str:
    from core.runs import RunNotFoundError

    try:
        return services.console.find(workflow_id).run_id
    except RunNotFoundError:
        return ""  # not recorded (yet): Temporal then acts on the newest run it has


def _refused(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_REFUSED


def _usage(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _name(workflow_id: str, run_id: str) -> str:
    return f"{workflow_id} (run {run_id})" if run_id else workflow_id


# Output ------------------------------------------------------------------------------------


def record_json(record: ExecutionRecord) -> dict[str, Any]:
    """A run record as JSON values (times in ISO 8601, duration in seconds)."""
    values = {name: _json_value(value) for name, value in asdict(record).items()}
    duration = record.duration
    values["duration_s"] = None if duration is None else duration.total_seconds()
    return values


def detail_json(detail: RunDetail) -> dict[str, Any]:
    """A run's record and trace as JSON values."""
    trace = detail.trace
    return {
        "record": record_json(detail.record),
        "workflow_name": detail.workflow_name,
        "exact": trace.exact,
        "event_count": trace.event_count,
        "failed_node_id": trace.failed_node_id,
        "current_node_id": trace.current_node_id,
        "failure": trace.failure,
        "nodes": [
            {
                "node_id": node.node_id,
                "label": _label(detail, node.node_id),
                "state": node.state.value,
                "visits": node.visits,
                "calls": len(node.calls),
                "attempt": node.last_call.attempt if node.last_call else None,
                "retried": node.retried,
                "failure": node.failure,
            }
            for node in trace.nodes.values()
        ],
    }


def _print_table(records: tuple[ExecutionRecord, ...]) -> None:
    header = ("WORKFLOW ID", "RUN ID", "STATUS", "TRIGGER", "VERSION", "STARTED", "TOOK", "STEP")
    rows = [
        (
            r.workflow_id,
            r.run_id,
            r.status.value,
            r.trigger.value if r.trigger else "-",
            f"{r.workflow_type} v{r.version}" if r.version is not None else r.workflow_type,
            _time(r.start_time),
            _duration(r.duration),
            r.failed_node_id or "",
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _print_detail(detail: RunDetail) -> None:
    record = detail.record
    lines = [
        ("workflow id", record.workflow_id),
        ("run id", record.run_id),
        ("workflow", _workflow_name(detail)),
        ("status", record.status.value),
        ("trigger", record.trigger.value if record.trigger else "-"),
        ("task queue", record.task_queue),
        ("started", _time(record.start_time)),
        ("closed", _time(record.close_time)),
        ("took", _duration(record.duration)),
        ("events", str(detail.trace.event_count)),
    ]
    if record.parent_workflow_id:
        lines.append(("parent", _name(record.parent_workflow_id, record.parent_run_id or "")))
    if detail.trace.failed_node_id:
        step = detail.trace.failed_node_id
        lines.append(("failed at", f"{step} ({_label(detail, step)})"))
    if detail.trace.failure:
        lines.append(("failure", detail.trace.failure))
    for name, value in lines:
        print(f"{name + ':':<13}{value}")
    if not detail.trace.nodes:
        return
    print("steps:" if detail.trace.exact else "steps (approximate: matched by label):")
    width = max(len(node_id) for node_id in detail.trace.nodes)
    for node in detail.trace.nodes.values():
        notes = [node.state.value]
        if node.visits > 1:
            notes.append(f"{node.visits} visits")
        if node.last_call and node.last_call.attempt > 1:
            notes.append(f"attempt {node.last_call.attempt}")
        if node.failure:
            notes.append(node.failure)
        label = _label(detail, node.node_id)
        print(f"  {node.node_id:<{width}}  {label}: {', '.join(notes)}")


def _workflow_name(detail: RunDetail) -> str:
    record = detail.record
    if detail.workflow_name is None:
        return f"{record.workflow_type} (not managed by Workflow Builder)"
    return f"{detail.workflow_name} v{record.version}"


def _label(detail: RunDetail, node_id: str) -> str:
    node = detail.graph.node(node_id) if detail.graph else None
    return node.label if node else node_id


def _time(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(value: timedelta | None) -> str:
    return "-" if value is None else f"{value.total_seconds():.1f}s"


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value
