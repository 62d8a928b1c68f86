"""Cron triggers on a real dev server: each deploy aims the workflow's Temporal schedule at the
version it activates; a manual trigger removes it; scheduled runs show among the recent runs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

import pytest
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleDescription
from temporalio.service import RPCError

from core.activities import builtin_registry
from core.db import DeploymentStatus, ExecutionStatus, RunTrigger
from core.deploy import DeployError, DeployResult, StepStatus, pipeline
from core.executions import RunService
from core.runs import RunMonitor, RunTracer
from core.runtime import BundleStore
from core.schedules import ScheduleService, schedule_id
from core.temporal.gateway import TemporalGateway
from tests.integration.deploy.helpers import DeployWorld, node, wait_until


@pytest.fixture
def gateway(world: DeployWorld) -> Iterator[TemporalGateway]:
    gateway = TemporalGateway(world.settings)
    yield gateway
    gateway.close()


@pytest.fixture
def scheduled(world: DeployWorld) -> Iterator[str]:
    """A new workflow from the scheduled_report example (cron "0 7 * * *"); its name.

    The dev server is shared by the whole test run, so the schedule is deleted afterwards.
    """
    name = world.create("scheduled_report").name
    yield name

    async def delete(client: Client) -> None:
        with contextlib.suppress(RPCError):  # the test removed it already
            await client.get_schedule_handle(schedule_id(name)).delete()

    world.temporal(delete)


def describe(world: DeployWorld, name: str) -> ScheduleDescription | None:
    async def go(client: Client) -> ScheduleDescription | None:
        try:
            return await client.get_schedule_handle(schedule_id(name)).describe()
        except RPCError:
            return None

    return world.temporal(go)


def started_type(description: ScheduleDescription) -> str:
    action = description.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    return action.workflow


def schedule_step(result: DeployResult) -> str:
    return next(step.message for step in result.steps if step.name == "schedule")


def set_cron(cron: str | None):
    def edit(document: dict) -> None:
        trigger = {"kind": "cron", "cron": cron} if cron else {"kind": "manual", "cron": None}
        node(document, "start")["params"]["trigger"] = trigger

    return edit


def test_deploys_create_then_reaim_the_schedule_and_a_manual_trigger_removes_it(
    world: DeployWorld, scheduled: str
):
    workflow = world.database.workflows.get_by_name(scheduled)
    v1 = world.service.deploy(workflow.id)
    assert "created" in schedule_step(v1)
    found = describe(world, scheduled)
    assert found is not None
    assert started_type(found) == v1.workflow_type == f"{scheduled}_v1"
    assert found.schedule.action.task_queue == v1.deployment.task_queue
    # Temporal keeps the cron expression only as the calendar it parsed: check its firings.
    assert found.info.next_action_times
    assert all((t.hour, t.minute) == (7, 0) for t in found.info.next_action_times)
    [record] = world.database.schedules.find(workflow_id=workflow.id)
    assert (record.schedule_id, record.cron) == (schedule_id(scheduled), "0 7 * * *")

    # Paused by an operator, then redeployed with another cron: it starts v2, still paused.
    ScheduleService(world.database, world.manager.host).pause(scheduled)
    world.edit_draft(workflow.id, set_cron("30 6 * * 1-5"))
    v2 = world.service.deploy(workflow.id)
    found = describe(world, scheduled)
    assert found is not None
    assert started_type(found) == v2.workflow_type == f"{scheduled}_v2"
    assert found.schedule.state.paused
    status = ScheduleService(world.database, world.manager.host).status(scheduled)
    assert status is not None and status.cron == "30 6 * * 1-5" and status.paused
    assert status.upcoming
    assert all((t.hour, t.minute) == (6, 30) and t.weekday() < 5 for t in status.upcoming), (
        "weekdays at 06:30 UTC"
    )
    assert world.database.schedules.get(schedule_id(scheduled)).paused
    assert "now starts" in schedule_step(v2)

    world.edit_draft(workflow.id, set_cron(None))
    v3 = world.service.deploy(workflow.id)
    assert "removed" in schedule_step(v3)
    assert describe(world, scheduled) is None
    assert world.database.schedules.find(workflow_id=workflow.id) == []


def test_a_cron_temporal_refuses_fails_the_deploy_and_the_previous_version_keeps_its_schedule(
    world: DeployWorld, scheduled: str
):
    workflow = world.database.workflows.get_by_name(scheduled)
    v1 = world.service.deploy(workflow.id)
    world.edit_draft(workflow.id, set_cron("61 * * * *"))  # five fields, but no minute 61
    steps = []
    with pytest.raises(DeployError) as caught:
        world.service.deploy(workflow.id, progress=steps.append)
    assert caught.value.step == "schedule"
    assert "trigger.cron '61 * * * *'" in str(caught.value)
    assert (steps[-1].name, steps[-1].status) == ("schedule", StepStatus.FAILED)
    assert world.service.active(workflow.id).id == v1.deployment.id
    failed = world.service.deployments(workflow.id)[0]
    assert failed.status is DeploymentStatus.FAILED
    found = describe(world, scheduled)
    assert found is not None and started_type(found) == v1.workflow_type


def test_a_scheduled_run_appears_among_the_recent_runs_with_its_version(
    world: DeployWorld, scheduled: str, gateway: TemporalGateway
):
    workflow = world.database.workflows.get_by_name(scheduled)
    world.service.deploy(workflow.id)
    schedules = ScheduleService(world.database, gateway)
    schedules.fire_now(scheduled)
    runs = RunService(world.database, gateway)
    tracer = RunTracer(world.database, BundleStore(world.settings.deploy_dir), builtin_registry())
    monitor = RunMonitor(world.database, gateway, tracer)

    def finished_scheduled_run():
        monitor.run_pass()  # the run monitor records runs started by schedules
        recent = runs.recent(workflow.id)
        return [r for r in recent if r.details_synced] and recent

    [run] = wait_until(finished_scheduled_run, "the scheduled run to complete")
    assert run.workflow_id.startswith(f"{scheduled}-scheduled")
    assert (run.workflow_type, run.version) == (f"{scheduled}_v1", 1)
    assert (run.status, run.trigger) == (ExecutionStatus.COMPLETED, RunTrigger.SCHEDULE)
    assert json.loads(run.result_preview or "{}")["team"] == "operations"  # the field's default
    status = schedules.status(scheduled)
    assert status is not None and status.fired == 1
    assert status.recent_runs == ((run.workflow_id, run.run_id),)


def test_temporal_not_answering_at_the_schedule_step_also_keeps_the_previous_version(
    world: DeployWorld, scheduled: str, monkeypatch: pytest.MonkeyPatch
):
    workflow = world.database.workflows.get_by_name(scheduled)
    v1 = world.service.deploy(workflow.id)
    world.edit_draft(workflow.id, set_cron("0 8 * * *"))

    def no_answer(*args, **kwargs):
        raise TimeoutError("no answer in 60 s")

    monkeypatch.setattr(pipeline, "apply_schedule", no_answer)
    with pytest.raises(DeployError, match=r"trigger.cron '0 8 \* \* \*' failed: TimeoutError"):
        world.service.deploy(workflow.id)
    assert world.service.active(workflow.id).id == v1.deployment.id
    assert world.service.deployments(workflow.id)[0].status is DeploymentStatus.FAILED
