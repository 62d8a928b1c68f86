"""Every run on a managed queue is recorded with what started it: console, schedule, parent."""

from __future__ import annotations

import asyncio
import contextlib

from core.config import Settings
from core.db import ExecutionFilter, ExecutionStatus, RunTrigger
from core.schedules import ScheduleError
from core.services import AppServices
from core.temporal import connect
from tests.integration.runs.helpers import (
    deploy,
    eventually,
    example,
    renamed,
    settled,
    unique,
)


def test_a_run_started_by_a_plain_client_is_recorded_as_external(
    services: AppServices, temporal_settings: Settings
) -> None:
    workflow_id = deploy(services, example("hello_activity"))
    active = services.deploy.active(workflow_id)
    assert active is not None
    run_id_base = unique("by-hand")

    async def start_by_hand() -> str:
        client = await connect(temporal_settings)
        handle = await client.start_workflow(
            active.workflow_type, {"name": "Eve"}, id=run_id_base, task_queue=active.task_queue
        )
        await handle.result()
        return handle.result_run_id or ""

    run_id = asyncio.run(start_by_hand())
    record = eventually(lambda: settled(services, run_id_base, run_id), what="the external run")

    assert record.trigger is RunTrigger.EXTERNAL
    assert record.status is ExecutionStatus.COMPLETED
    assert (record.definition_id, record.version) == (workflow_id, 1)
    assert record.result_preview == '"Hello, Eve!"'
    assert record.input_preview == '{"name": "Eve"}'
    assert record.history_length and record.history_length > 3


def test_a_child_run_is_recorded_with_its_parent(services: AppServices) -> None:
    deploy(services, example("hello_activity"))
    parent_workflow = deploy(services, example("child_workflow"))
    ref = services.runs.start(parent_workflow, {"name": "Kid"})

    parent = eventually(lambda: settled(services, ref.workflow_id, ref.run_id), what="parent")
    children = eventually(
        lambda: services.database.executions.children_of(parent.workflow_id, parent.run_id),
        what="the child run recorded",
    )

    assert parent.trigger is RunTrigger.MANUAL
    assert [child.trigger for child in children] == [RunTrigger.CHILD]
    assert children[0].workflow_type == "hello_activity_v1"
    assert children[0].parent_run_id == parent.run_id


def test_a_scheduled_run_is_recorded_as_scheduled(services: AppServices) -> None:
    name = unique("report")
    workflow_id = deploy(services, renamed(example("scheduled_report"), name))
    try:
        services.schedules.fire_now(name)
        scheduled = ExecutionFilter(definition_id=workflow_id, triggers=(RunTrigger.SCHEDULE,))

        def recorded():
            page = services.console.page(scheduled)
            return page.items if page.items and page.items[0].closed else None

        runs = eventually(recorded, what="the scheduled run recorded")
    finally:
        with contextlib.suppress(ScheduleError):
            services.schedules.remove(name)

    assert runs[0].status is ExecutionStatus.COMPLETED
    assert runs[0].workflow_type == f"{name}_v1"
