"""Health checks against the session's dev server: healthy, Temporal down, a queue without a
worker, a schedule out of sync, the monitor behind; the command's exit codes; the Health page."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.db import Database, WorkerStatus
from core.db.types import utc_now
from core.health import Check, HealthReport, Status, check_health
from core.schedules import ScheduleTarget, apply_schedule
from core.temporal.dev_server import port_in_use
from core.temporal.gateway import TemporalGateway

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(temporal_settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(
        temporal_settings, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'app.db'}"
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    with Database.open(settings.database_url) as db:
        yield db


def deployed(
    database: Database,
    task_queue: str,
    name: str = "orders",
    step_queues: dict[str, list[str]] | None = None,
) -> int:
    """An active deployment on ``task_queue`` (what health reads; no code is needed), whose
    steps run on ``step_queues``."""
    workflow = database.workflows.create(name=name, graph={})
    version = database.versions.create_next(
        workflow.id, graph={}, graph_hash="g", bundle_hash="b", compiler_version="1"
    )
    deployment = database.deployments.create(
        workflow_id=workflow.id,
        version_id=version.id,
        task_queue=task_queue,
        workflow_type=f"{name}_v1",
        bundle_dir="unused",
        step_queues=step_queues,
    )
    database.deployments.activate(deployment.id)
    return workflow.id


def live_worker(database: Database, task_queue: str) -> None:
    worker_id = f"w-{uuid.uuid4().hex[:8]}"
    database.workers.register(worker_id=worker_id, task_queue=task_queue, host="here")
    database.workers.set_status(worker_id, WorkerStatus.RUNNING)
    database.workers.heartbeat(worker_id)


def monitor_passed(database: Database) -> None:
    assert database.monitor.acquire("runs", "test", ttl=timedelta(seconds=30))
    assert database.monitor.advance("runs", "test", started=None, closed=None)


def by_name(report: HealthReport) -> dict[str, Check]:
    return {check.name: check for check in report.checks}


def test_a_healthy_system_is_ok(settings, database, task_queue):
    workflow_id = deployed(database, task_queue)
    live_worker(database, task_queue)
    monitor_passed(database)
    gateway = TemporalGateway(settings)
    try:
        target = ScheduleTarget("orders", "orders_v1", task_queue, cron="0 3 * * *")
        apply_schedule(gateway, database, workflow_id=workflow_id, target=target)
        report = check_health(settings, database=database)
        assert report.status is Status.OK, report.checks
        checks = by_name(report)
        assert list(checks) == ["database", "temporal", "workers", "schedules", "run monitor"]
        assert "namespace default exists" in checks["temporal"].finding
        assert checks["schedules"].finding == "1 schedules match Temporal"
        assert all(check.next_step == "" for check in report.checks)

        # Paused in the database only: out of sync, with what to do.
        database.schedules.set_paused("orders-schedule", True)
        schedules = by_name(check_health(settings, database=database, temporal=gateway))
        assert schedules["schedules"].status is Status.DEGRADED
        assert "orders-schedule is paused here but not in Temporal" in (
            schedules["schedules"].finding
        )
        assert schedules["schedules"].next_step
    finally:
        gateway.call(gateway.client.get_schedule_handle("orders-schedule").delete())
        gateway.close()


def test_a_queue_without_a_live_worker_is_degraded(settings, database, task_queue):
    deployed(database, task_queue)
    deployed(database, "served-queue", name="served")
    live_worker(database, "served-queue")
    monitor_passed(database)
    report = check_health(settings, database=database)
    workers = by_name(report)["workers"]
    assert report.status is Status.DEGRADED
    assert workers.status is Status.DEGRADED
    assert workers.finding == f"no live worker on 1 of 2 deployed task queues: {task_queue}"
    assert f"--task-queue {task_queue}" in workers.next_step


def test_a_queue_only_steps_use_needs_a_live_worker_too(settings, database, task_queue):
    steps = f"{task_queue}-steps"
    deployed(database, task_queue, step_queues={steps: ["echo"]})
    live_worker(database, task_queue)
    monitor_passed(database)
    workers = by_name(check_health(settings, database=database))["workers"]
    assert workers.finding == f"no live worker on 1 of 2 deployed task queues: {steps}"
    live_worker(database, steps)
    assert by_name(check_health(settings, database=database))["workers"].status is Status.OK


def test_a_stale_heartbeat_or_monitor_counts_as_missing(settings, database, task_queue):
    deployed(database, task_queue)
    live_worker(database, task_queue)
    monitor_passed(database)
    later = utc_now() + timedelta(minutes=5)
    checks = by_name(check_health(settings, database=database, now=later))
    assert checks["workers"].status is Status.DEGRADED
    assert checks["run monitor"].status is Status.DEGRADED
    assert checks["run monitor"].finding.startswith("last pass 5 min ago")


def test_temporal_down_is_down(settings, database, free_port: Callable[[], int]):
    gone = dataclasses.replace(settings, temporal_address=f"127.0.0.1:{free_port()}")
    report = check_health(gone, database=database)
    temporal = by_name(report)["temporal"]
    assert report.status is Status.DOWN
    assert temporal.status is Status.DOWN
    assert "cannot connect (connection refused)" in temporal.finding
    assert "TEMPORAL_ADDRESS" in temporal.next_step


def test_the_embedded_server_is_never_started(settings, database, free_port):
    port = free_port()
    embedded = dataclasses.replace(settings, temporal_address=None, temporal_dev_port=port)
    temporal = by_name(check_health(embedded, database=database))["temporal"]
    assert temporal.status is Status.DOWN
    assert temporal.finding == f"the embedded Temporal server is not running (port {port})"
    assert not port_in_use(port)


def run_health(settings: Settings, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WB_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "TEMPORAL_ADDRESS": str(settings.temporal_address),
        "TEMPORAL_NAMESPACE": settings.temporal_namespace,
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "core", "health", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_exits_0_1_2(settings, database, task_queue, free_port):
    monitor_passed(database)
    healthy = run_health(settings)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert json.loads(healthy.stdout)["status"] == "ok"

    deployed(database, task_queue)
    degraded = run_health(settings)
    assert degraded.returncode == 1, degraded.stdout + degraded.stderr
    payload = json.loads(degraded.stdout)
    workers = next(c for c in payload["checks"] if c["name"] == "workers")
    assert workers["status"] == "degraded" and workers["next_step"]

    down = run_health(settings, TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}")
    assert down.returncode == 2, down.stdout + down.stderr
    assert json.loads(down.stdout)["status"] == "down"


def test_the_health_page_shows_each_check_with_its_next_step(app: AppTest):
    from pages.widgets.services import get_services

    database = get_services().database
    # A schedule the database records but Temporal never had (nothing restores it: the
    # workflow has no deployment).
    workflow = database.workflows.create(name="ghost", graph=None)
    database.schedules.create(
        schedule_id="ghost-schedule", workflow_id=workflow.id, cron="* * * * *"
    )
    app.switch_page("pages/health.py").run()
    assert not app.exception
    texts = [text.value for text in app.text]
    assert "ghost-schedule is missing in Temporal" in texts
    assert any(t.startswith("Next: restart the app (it restores schedules") for t in texts)
    assert [w.value for w in app.warning] == [
        "Something needs attention: see the next step of each check below."
    ]
    names = [md.value for md in app.markdown if md.value.startswith("**")]
    assert names == [
        "**Database**",
        "**Temporal**",
        "**Workers**",
        "**Schedules**",
        "**Run monitor**",
    ]
