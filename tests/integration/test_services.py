"""The services facade end to end: draft, deploy, run, workers; and a restart that resumes."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import pytest

import core.services
from core.config import Settings, load_settings
from core.db import DeploymentStatus, WorkerStatus
from core.schedules import schedule_id
from core.services import build_services
from core.temporal import TemporalEndpoint


def app_settings(temporal_settings: Settings, data: Path) -> Settings:
    return load_settings(
        {
            "TEMPORAL_ADDRESS": temporal_settings.temporal_address or "",
            "WB_DATA_DIR": str(data),
            "WB_DEFAULT_TASK_QUEUE": f"services-{data.name}",
        }
    )


def test_draft_deploy_run_and_resume_after_restart(temporal_settings: Settings, tmp_path: Path):
    settings = app_settings(temporal_settings, tmp_path)
    services = build_services(settings)
    try:
        workflow = services.workflows.create_from_example("hello_activity", name="greeter")
        result = services.deploy.deploy(workflow.id)
        assert result.workflow_type == "greeter_v1"
        assert [step.name for step in result.steps][-1] == "ready"

        ref = services.runs.start(workflow.id, {"name": "Ann"})
        assert services.runs.wait(ref, timeout=30).result == "Hello, Ann!"
        running = [view for view in services.fleet.workers() if view.record.status == "running"]
        # A queue per workflow by default, named after the default queue and the workflow.
        queue = f"{settings.default_task_queue}-greeter"
        assert result.deployment.task_queue == queue
        assert [view.record.task_queue for view in running] == [queue]
    finally:
        services.close()
    assert {w.status for w in services.database.workers.find()} == {WorkerStatus.STOPPED}

    # A new process on the same database serves what was deployed, without a new deploy.
    again = build_services(settings)
    try:
        ref = again.runs.start(workflow.id, {"name": "Bo"})
        assert again.runs.wait(ref, timeout=30).result == "Hello, Bo!"
    finally:
        again.close()


def test_drafts_need_no_temporal(tmp_path: Path):
    # No TEMPORAL_ADDRESS and ports that would clash: editing drafts must not start a server.
    services = build_services(load_settings({"WB_DATA_DIR": str(tmp_path)}))
    try:
        workflow = services.workflows.create(name="blank")
        assert services.workflows.check(workflow.draft_graph).valid
        assert not services.temporal_started
    finally:
        services.close()


def test_deleting_a_workflow_removes_its_schedule(temporal_settings: Settings, tmp_path: Path):
    services = build_services(app_settings(temporal_settings, tmp_path))
    name = f"report_{uuid.uuid4().hex[:8]}"  # schedules live on the shared dev server
    try:
        workflow = services.workflows.create_from_example("scheduled_report", name=name)
        services.deploy.deploy(workflow.id)
        assert services.schedules.status(name) is not None
        queue = services.deploy.active(workflow.id).task_queue
        services.delete_workflow(workflow.id)
        assert services.schedules.status(name) is None
        assert services.database.schedules.find(workflow_id=workflow.id) == []
        assert services.workflows.list() == []
        # No run was open: its version is retired at once, and its workers stop serving it.
        assert [d.status for d in services.deploy.deployments(workflow.id)] == [
            DeploymentStatus.RETIRED
        ]
        assert services.temporal.manager.worker_ids(queue) == ()
    finally:
        services.schedules.remove(name)  # in case the test failed before deleting
        services.close()


def test_a_restart_restores_schedules_temporal_lost_but_not_of_deleted_workflows(
    temporal_settings: Settings, tmp_path: Path
):
    settings = app_settings(temporal_settings, tmp_path)
    kept, deleted = (f"report_{uuid.uuid4().hex[:8]}" for _ in range(2))
    services = build_services(settings)
    try:
        for name in (kept, deleted):
            workflow = services.workflows.create_from_example("scheduled_report", name=name)
            services.deploy.deploy(workflow.id)
        services.delete_workflow(services.database.workflows.get_by_name(deleted).id)
        services.schedules.pause(kept)
        # As if Temporal's data were reset: the schedule is gone, the database still has it.
        gateway = services.temporal.gateway
        gateway.call(gateway.client.get_schedule_handle(schedule_id(kept)).delete())
        assert services.schedules.status(kept) is None
    finally:
        services.close()

    again = build_services(settings)
    try:
        status = again.schedules.status(kept)
        assert status is not None and status.workflow_type == f"{kept}_v1"
        assert status.cron == "0 7 * * *" and status.paused  # as the operator left it
        assert again.schedules.status(deleted) is None
    finally:
        again.schedules.remove(kept)
        again.close()


def test_a_failed_temporal_start_stops_what_it_had_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The last step fails after the embedded server, the gateway, the workers' manager and the
    # run monitor were up: none of them may outlive the failure.
    endpoints: list[tuple[TemporalEndpoint, int]] = []
    ensure_temporal = core.services.ensure_temporal

    def recording_ensure_temporal(settings: Settings) -> TemporalEndpoint:
        endpoint = ensure_temporal(settings)
        assert endpoint.server is not None and endpoint.server.pid is not None
        endpoints.append((endpoint, endpoint.server.pid))
        return endpoint

    def broken_alerts(*args: object) -> None:
        raise RuntimeError("the alerts could not start")

    monkeypatch.setattr(core.services, "ensure_temporal", recording_ensure_temporal)
    monkeypatch.setattr(core.services, "start_alerts", broken_alerts)
    settings = load_settings(
        {"WB_DATA_DIR": str(tmp_path), "TEMPORAL_DEV_PORT": "0", "TEMPORAL_DEV_UI_PORT": "0"}
    )
    services = build_services(settings)
    try:
        threads_before = set(threading.enumerate())
        with pytest.raises(RuntimeError, match="the alerts could not start"):
            services.temporal  # noqa: B018 -- the property starts Temporal's side
        [(endpoint, pid)] = endpoints
        assert endpoint.server is not None and endpoint.server.pid is None
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the server process is gone, not just forgotten
        left = [t.name for t in set(threading.enumerate()) - threads_before if t.is_alive()]
        assert left == []
        assert not services.temporal_started
    finally:
        services.close()
