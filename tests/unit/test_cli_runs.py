"""``python -m core runs`` without services: its choices, and how a failed run is described."""

from __future__ import annotations

from core.cli import build_parser
from core.cli.runs import STATUSES, TRIGGERS
from core.db import ExecutionStatus, RunTrigger
from core.runtime.runner import RunFailedError


def test_the_choices_are_the_record_enums() -> None:
    assert tuple(status.value for status in ExecutionStatus) == STATUSES
    assert tuple(trigger.value for trigger in RunTrigger) == TRIGGERS


def test_status_takes_several_values_and_repeats() -> None:
    args = build_parser().parse_args(
        ["runs", "list", "--status", "failed", "canceled", "--status", "running"]
    )
    assert args.status == ["failed", "canceled", "running"]


def test_a_failure_names_its_step_when_known() -> None:
    chain = ("WorkflowFailureError: failed", "ApplicationError: card declined")
    named = RunFailedError(
        workflow_id="w",
        causes=chain,
        node_id="charge",
        node_label="Charge card",
        reason="card declined",
    )
    assert str(named).splitlines() == [
        "workflow w failed at step 'charge' (Charge card): card declined",
        "  WorkflowFailureError: failed",
        "  caused by ApplicationError: card declined",
    ]
    unknown = RunFailedError(workflow_id="w", causes=chain)
    assert str(unknown).splitlines() == [
        "workflow w failed: WorkflowFailureError: failed",
        "  caused by ApplicationError: card declined",
    ]
