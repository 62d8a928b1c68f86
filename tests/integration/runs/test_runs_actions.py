"""Acting on runs from the console: cancel, terminate, reset to a step, rerun, bulk actions."""

from __future__ import annotations

import pytest

from core.db import ExecutionFilter, ExecutionStatus
from core.executions import RunError
from core.runs import NodeState
from core.services import AppServices
from tests.integration.runs.helpers import deploy, eventually, example, failing_graph, settled

APPROVAL = {"request": "laptop"}


def test_cancel_and_terminate_a_waiting_run(services: AppServices) -> None:
    workflow_id = deploy(services, example("approval_signal"))
    to_cancel = services.runs.start(workflow_id, APPROVAL)
    to_terminate = services.runs.start(workflow_id, APPROVAL)

    services.console.cancel(to_cancel.workflow_id, to_cancel.run_id)
    with pytest.raises(RunError, match="needs a reason"):
        services.console.terminate(to_terminate.workflow_id, to_terminate.run_id, reason=" ")
    services.console.terminate(to_terminate.workflow_id, to_terminate.run_id, reason="wrong item")

    cancelled = eventually(lambda: settled(services, to_cancel.workflow_id, to_cancel.run_id))
    terminated = eventually(
        lambda: settled(services, to_terminate.workflow_id, to_terminate.run_id)
    )
    assert cancelled.status is ExecutionStatus.CANCELED
    assert terminated.status is ExecutionStatus.TERMINATED
    assert "wrong item" in (terminated.error or "")
    with pytest.raises(RunError, match="terminate run"):
        services.console.terminate(to_terminate.workflow_id, to_terminate.run_id, reason="again")


def test_a_waiting_run_shows_where_it_waits(services: AppServices) -> None:
    workflow_id = deploy(services, example("approval_signal"))
    ref = services.runs.start(workflow_id, APPROVAL)

    def waiting():
        detail = services.console.detail(ref.workflow_id, ref.run_id)
        return detail if detail.trace.nodes["wait"].state is NodeState.WAITING else None

    detail = eventually(waiting, what="the run waiting for its signal")
    services.console.terminate(ref.workflow_id, ref.run_id, reason="test over")

    assert detail.record.status is ExecutionStatus.RUNNING
    assert detail.trace.current_node_id == "wait"
    assert detail.trace.nodes["waiting"].state is NodeState.COMPLETED
    assert detail.trace.nodes["approved"].state is NodeState.NOT_REACHED
    assert any(item.kind == "signal wait" and item.end is None for item in detail.trace.timeline)


def test_rerun_with_the_same_or_new_input(services: AppServices) -> None:
    workflow_id = deploy(services, example("hello_activity"))
    first = services.runs.start(workflow_id, {"name": "Ann"})
    eventually(lambda: settled(services, first.workflow_id, first.run_id))

    same = services.console.rerun(first.workflow_id, first.run_id)
    edited = services.console.rerun(first.workflow_id, first.run_id, input={"name": "Bo"})

    assert services.runs.wait(same, timeout=30).result == "Hello, Ann!"
    assert services.runs.wait(edited, timeout=30).result == "Hello, Bo!"
    assert same.workflow_id != first.workflow_id


def test_reset_to_the_failed_step_runs_it_again_after_the_steps_before(
    services: AppServices,
) -> None:
    workflow_id = deploy(services, failing_graph("reset_flow"))
    ref = services.runs.start(workflow_id, {})
    eventually(lambda: settled(services, ref.workflow_id, ref.run_id))

    reset = services.console.reset(ref.workflow_id, ref.run_id, node_id="charge", reason="retry")
    with pytest.raises(RunError, match="did not run"):
        services.console.reset(ref.workflow_id, ref.run_id, node_id="end", reason="")

    again = eventually(lambda: settled(services, reset.workflow_id, reset.run_id))
    detail = services.console.detail(reset.workflow_id, reset.run_id)
    assert reset.run_id != ref.run_id
    assert again.status is ExecutionStatus.FAILED
    assert again.failed_node_id == "charge"
    # The step before the reset point kept its result from the first run: not called again.
    greet_calls = detail.trace.nodes["greet"].calls
    assert [(call.outcome, call.output) for call in greet_calls] == [("completed", "hi")]
    assert [call.outcome for call in detail.trace.nodes["charge"].calls] == ["failed"]


def test_bulk_terminate_of_every_open_run_matching_a_filter(services: AppServices) -> None:
    workflow_id = deploy(services, example("approval_signal"))
    refs = [services.runs.start(workflow_id, APPROVAL) for _ in range(3)]
    matching = ExecutionFilter(definition_id=workflow_id)

    assert len(services.console.open_keys(matching)) == 3
    result = services.console.bulk("terminate", filters=matching, reason="clean-up")

    assert (result.done, result.failed) == (3, ())
    for ref in refs:
        record = eventually(lambda ref=ref: settled(services, ref.workflow_id, ref.run_id))
        assert record.status is ExecutionStatus.TERMINATED
    assert services.console.open_keys(matching) == []
