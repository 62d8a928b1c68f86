"""The run service against a real dev server: input checks, start, result, signal and query."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from core.activities import builtin_registry
from core.db import Database, ExecutionStatus, RunTrigger
from core.executions import (
    NotDeployedError,
    RunError,
    RunInputError,
    RunService,
    SignalPayloadError,
)
from core.limits import LIMITS, InputLimitError
from core.runs import RunMonitor, RunTracer
from core.runtime.bundle_store import BundleStore
from core.runtime.worker_host import WorkerHost
from tests.hostile_corpus import graph
from tests.integration.by_hand import deploy_document_by_hand

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def deploy_by_hand(
    database: Database, host: WorkerHost, root: Path, example: str, task_queue: str
) -> int:
    """Deploy an example by hand (see ``deploy_document_by_hand``)."""
    document: dict[str, Any] = json.loads((EXAMPLES / f"{example}.json").read_text())
    return deploy_document_by_hand(database, host, root, document, task_queue)


def test_a_run_starts_completes_and_is_mirrored(database, gateway, host, tmp_path, task_queue):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "hello_activity", task_queue)
    runs = RunService(database, gateway)
    assert [field.name for field in runs.input_fields(workflow_id)] == ["name"]

    ref = runs.start(workflow_id, {"name": "Ann"})
    assert ref.workflow_type == "hello_activity_v1"
    state = runs.wait(ref, timeout=30)

    assert state.status is ExecutionStatus.COMPLETED
    assert state.result == "Hello, Ann!"
    (record,) = runs.recent(workflow_id)
    assert (record.status, record.result_preview, record.input_preview) == (
        ExecutionStatus.COMPLETED,
        '"Hello, Ann!"',
        '{"name": "Ann"}',
    )
    assert record.trigger is RunTrigger.MANUAL


def test_start_and_wait_gives_a_quick_runs_result_and_records_it_closed(
    database, gateway, host, tmp_path, task_queue
):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "hello_activity", task_queue)
    runs = RunService(database, gateway)

    state = runs.start_and_wait(workflow_id, {"name": "Ann"}, wait=30)

    assert (state.status, state.result) == (ExecutionStatus.COMPLETED, "Hello, Ann!")
    assert state.start_time is not None and state.close_time is not None
    assert state.start_time <= state.close_time
    # The row is written when the wait ends, already closed, with what the start knows.
    record = database.executions.get(state.ref.workflow_id, state.ref.run_id)
    assert (record.status, record.result_preview, record.input_preview) == (
        ExecutionStatus.COMPLETED,
        '"Hello, Ann!"',
        '{"name": "Ann"}',
    )
    assert (record.trigger, record.definition_id, record.version) == (
        RunTrigger.MANUAL,
        workflow_id,
        1,
    )


def test_start_and_wait_reports_a_run_still_going_or_failed_when_its_wait_ends(
    database, gateway, host, tmp_path, task_queue
):
    waiting = deploy_by_hand(database, host, tmp_path / "bundles", "approval_signal", task_queue)
    failing = deploy_by_hand(
        database, host, tmp_path / "bundles", "order_saga", f"{task_queue}-saga"
    )
    runs = RunService(database, gateway)

    state = runs.start_and_wait(waiting, {"request": "laptop"}, wait=0.5)
    assert (state.status, state.result, state.close_time) == (ExecutionStatus.RUNNING, None, None)
    record = database.executions.get(state.ref.workflow_id, state.ref.run_id)
    assert (record.status, record.input_preview) == (
        ExecutionStatus.RUNNING,
        '{"request": "laptop"}',
    )
    runs.signal(state.ref, "approve", {"approved": True, "by": "bo"})
    assert runs.wait(state.ref, timeout=30).status is ExecutionStatus.COMPLETED

    failed = runs.start_and_wait(failing, {"amount": 120}, wait=30)
    assert (failed.status, failed.error) == (
        ExecutionStatus.FAILED,
        "payment of 120 is over the limit of 100",
    )
    record = database.executions.get(failed.ref.workflow_id, failed.ref.run_id)
    assert (record.status, record.error, record.trigger) == (
        ExecutionStatus.FAILED,
        failed.error,
        RunTrigger.MANUAL,
    )


def test_bad_input_is_refused_before_anything_starts(database, gateway, host, tmp_path, task_queue):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "hello_activity", task_queue)
    runs = RunService(database, gateway)
    with pytest.raises(RunInputError, match="'name': is required"):
        runs.start(workflow_id, {})
    with pytest.raises(RunInputError, match="expected a value of type string"):
        runs.start(workflow_id, {"name": 42})
    with pytest.raises(RunInputError, match="no such input"):
        runs.start(workflow_id, {"name": "Ann", "age": 3})
    assert runs.recent(workflow_id) == []


def test_signal_and_query_reach_a_waiting_run(database, gateway, host, tmp_path, task_queue):
    workflow_id = deploy_by_hand(
        database, host, tmp_path / "bundles", "approval_signal", task_queue
    )
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"request": "laptop"})

    assert runs.query(ref, "status") == "waiting"
    runs.signal(ref, "approve", {"approved": True, "by": "bo"})
    state = runs.wait(ref, timeout=30)
    assert state.result == {"request": "laptop", "status": "approved by bo"}


def test_a_failed_run_reports_its_causes(database, gateway, host, tmp_path, task_queue):
    params = {"name": "out", "expression": "input.s + 1"}
    document = graph("adds_text", [{"id": "calc", "type": "set_variable", "params": params}])
    workflow_id = deploy_document_by_hand(
        database, host, tmp_path / "bundles", document, task_queue
    )
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"s": "text"})
    state = runs.wait(ref, timeout=30)
    assert state.status is ExecutionStatus.FAILED
    assert "step 'calc' failed: TypeError" in (state.error or "")


def test_a_fail_node_fails_the_run_with_its_message(database, gateway, host, tmp_path, task_queue):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "order_saga", task_queue)
    runs = RunService(database, gateway)
    state = runs.wait(runs.start(workflow_id, {"amount": 120}), timeout=30)
    assert state.status is ExecutionStatus.FAILED
    # The message alone: no wrapper text, as the runs list and the dashboard group by it.
    assert state.error == "payment of 120 is over the limit of 100"
    (record,) = runs.recent(workflow_id)
    assert (record.status, record.error) == (ExecutionStatus.FAILED, state.error)


def test_a_bad_payload_sent_past_the_service_is_dropped_and_the_run_goes_on(
    database, gateway, host, tmp_path, task_queue
):
    workflow_id = deploy_by_hand(
        database, host, tmp_path / "bundles", "approval_signal", task_queue
    )
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"request": "laptop"})
    handle = gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
    for payload in ({"approved": True}, {"approved": 1, "by": "x"}, [1], {"by": "x", "zz": 1}):
        gateway.call(handle.signal("approve", payload))
    assert runs.query(ref, "rejected-signals") == [
        {"signal": "approve", "reason": "field 'by' is required"},
        {"signal": "approve", "reason": "field 'approved' must be of type boolean"},
        {"signal": "approve", "reason": "the payload must be a JSON object, not list"},
        {"signal": "approve", "reason": "the signal has no field 'zz'"},
    ]
    assert runs.state(ref).status is ExecutionStatus.RUNNING
    runs.signal(ref, "approve", {"approved": True, "by": "bo"})
    assert runs.wait(ref, timeout=30).result == {"request": "laptop", "status": "approved by bo"}


def test_input_over_a_limit_is_refused_before_anything_starts(
    database, gateway, host, tmp_path, task_queue
):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "hello_activity", task_queue)
    runs = RunService(database, gateway)
    deep: Any = "Ann"
    for _ in range(10_000):
        deep = [deep]
    cases: list[tuple[Any, str]] = [
        ({"name": deep}, "input.name[0][0][0].<"),
        ({"name": "é" * 400_000}, "input: 2,400,011 bytes as JSON; at most 1,572,864"),
        ({"name": 10**5001}, "input.name: an integer of about 5,002 digits"),
        ([1, 2], "input: must be a JSON object of input fields, not an array"),
    ]
    for values, message in cases:
        with pytest.raises(InputLimitError) as caught:
            runs.start(workflow_id, values)
        assert str(caught.value).startswith(message)
    assert runs.recent(workflow_id) == []
    assert gateway.call(gateway.client.count_workflows(f'TaskQueue="{task_queue}"')).count == 0
    # Close to the limit (sent as \u escapes, six bytes a character), Temporal takes it.
    name = "é" * (LIMITS.max_payload_bytes // 6 - 10)
    state = runs.wait(runs.start(workflow_id, {"name": name}), timeout=60)
    assert state.status is ExecutionStatus.COMPLETED, state.error
    assert state.result == f"Hello, {name}!"


def test_signal_payloads_are_checked_against_the_declared_fields(
    database, gateway, host, tmp_path, task_queue
):
    workflow_id = deploy_by_hand(
        database, host, tmp_path / "bundles", "approval_signal", task_queue
    )
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"request": "laptop"})
    with pytest.raises(SignalPayloadError, match="signal 'approve' field 'by': is required"):
        runs.signal(ref, "approve", {"approved": True})
    with pytest.raises(SignalPayloadError, match="field 'approved': expected a value of type"):
        runs.signal(ref, "approve", {"approved": "yes", "by": "bo"})
    with pytest.raises(SignalPayloadError, match="declares no such signal \\('approve'\\)"):
        runs.signal(ref, "reject", None)
    with pytest.raises(InputLimitError, match="signal 'approve' payload.by: 3,000,000 char"):
        runs.signal(ref, "approve", {"approved": True, "by": "x" * 3_000_000})
    assert runs.state(ref).status is ExecutionStatus.RUNNING
    assert runs.query(ref, "status") == "waiting"
    runs.signal(ref, "approve", {"approved": True, "by": "bo"})
    assert runs.wait(ref, timeout=30).result == {"request": "laptop", "status": "approved by bo"}


def test_an_undeployed_workflow_cannot_run(database, gateway):
    workflow = database.workflows.create(name="draft_only")
    with pytest.raises(NotDeployedError, match="'draft_only' has no active deployment"):
        RunService(database, gateway).start(workflow.id, {})


def test_signal_and_query_errors_say_what_failed(database, gateway, host, tmp_path, task_queue):
    workflow_id = deploy_by_hand(
        database, host, tmp_path / "bundles", "approval_signal", task_queue
    )
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"request": "laptop"})
    with pytest.raises(RunError, match="query 'nope' of run"):
        runs.query(ref, "nope")
    runs.signal(ref, "approve", {"approved": False, "by": "cy"})
    runs.wait(ref, timeout=30)
    with pytest.raises(RunError, match="signal 'approve' to run"):
        runs.signal(ref, "approve", {"approved": True, "by": "cy"})


def test_a_run_nobody_watched_is_recorded_closed_by_the_run_monitor(
    database, gateway, host, tmp_path, task_queue
):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "hello_activity", task_queue)
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"name": "Dee"})
    # Nobody calls state() or wait(): the row says running until the monitor sees the close.
    handle = gateway.client.get_workflow_handle(ref.workflow_id, run_id=ref.run_id)
    gateway.call(handle.result())
    assert [record.status for record in runs.recent(workflow_id)] == [ExecutionStatus.RUNNING]

    tracer = RunTracer(database, BundleStore(tmp_path / "bundles"), builtin_registry())
    monitor = RunMonitor(database, gateway, tracer)
    deadline = time.monotonic() + 30
    while runs.recent(workflow_id)[0].result_preview is None:
        assert time.monotonic() < deadline, "the monitor did not record the close"
        monitor.run_pass()
        time.sleep(0.2)

    (record,) = runs.recent(workflow_id)
    assert (record.status, record.result_preview) == (ExecutionStatus.COMPLETED, '"Hello, Dee!"')
