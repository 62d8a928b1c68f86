"""Workflow updates on the real dev server: a guest list taking guests through updates."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from core.executions import RunError, RunService, SignalPayloadError, UpdateRefusedError
from tests.integration.test_examples_run import (  # noqa: F401 (serve is a fixture)
    EXAMPLES,
    history_events,
    serve,
    start,
)
from tests.integration.test_executions import deploy_by_hand

GUESTS = EXAMPLES / "guest_list.json"


async def refusal(handle, update: str, payload) -> ApplicationError:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(update, payload)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    return cause


@pytest.mark.asyncio
async def test_updates_return_their_result_and_a_refused_one_changes_nothing(
    temporal_client,
    serve,  # noqa: F811
    task_queue,
):
    handle = await start(temporal_client, serve(GUESTS), task_queue, {"capacity": 2})
    assert await handle.execute_update("invite", {"name": "Ann"}) == 1
    assert await handle.execute_update("invite", {"name": "Bob"}) == 2
    full = await refusal(handle, "invite", {"name": "Cid"})
    assert full.message == (
        "update 'invite' refused: the guest is invited already, or the list is full"
    )
    unfit = await refusal(handle, "invite", {"name": 5})
    assert unfit.message == "update 'invite' refused: field 'name' must be of type string"
    # Refused updates changed nothing, and Temporal recorded none of them.
    assert await handle.query("state") == {"guests": ["Ann", "Bob"], "closed": None}
    accepted = await history_events(handle, "workflow_execution_update_accepted_event_attributes")
    assert len(accepted) == 2
    assert await handle.execute_update("close") == ["Ann", "Bob"]
    assert await handle.result() == ["Ann", "Bob"]


def test_the_run_service_sends_updates_checked_and_reports_refusals(
    database, gateway, host, tmp_path, task_queue
):
    workflow_id = deploy_by_hand(database, host, tmp_path / "bundles", "guest_list", task_queue)
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {"capacity": 1})
    with pytest.raises(SignalPayloadError, match="update 'invite' field 'name': is required"):
        runs.update(ref, "invite", {})
    with pytest.raises(SignalPayloadError, match=r"declares no such update \('invite', 'close'\)"):
        runs.update(ref, "uninvite", None)
    assert runs.update(ref, "invite", {"name": "Ann"}) == 1
    with pytest.raises(UpdateRefusedError, match="^update 'invite' refused: the guest is invited"):
        runs.update(ref, "invite", {"name": "Bob"})
    assert runs.query(ref, "guests") == ["Ann"]
    assert runs.update(ref, "close") == ["Ann"]
    assert runs.wait(ref, timeout=30).result == ["Ann"]
    with pytest.raises(
        RunError, match="update 'invite' of run .*: workflow execution already comp"
    ):
        runs.update(ref, "invite", {"name": "Cid"})
