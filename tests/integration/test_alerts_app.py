"""Alerts in the app: evaluated beside the run monitor once it holds the lease, on what the
app's own workers do."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from core.alerts import run_monitor_leader
from core.config import Settings, load_settings
from core.services import build_services


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.1)


def test_a_stopped_queue_alerts_and_clears_when_it_starts_again(
    temporal_settings: Settings, tmp_path: Path
) -> None:
    settings = load_settings(
        {
            "TEMPORAL_ADDRESS": temporal_settings.temporal_address or "",
            "WB_DATA_DIR": str(tmp_path),
            "WB_DEFAULT_TASK_QUEUE": f"alerts-{tmp_path.name}",
        }
    )
    services = build_services(settings)
    try:
        workflow = services.workflows.create_from_example("hello_activity", name="greeter")
        queue = services.deploy.deploy(workflow.id).deployment.task_queue
        evaluator = services.temporal.alerts
        # The app's run monitor takes the lease on its first pass; alerts follow it.
        holder = services.temporal.monitor.holder
        eventually(run_monitor_leader(services.database, holder))
        assert evaluator.service.evaluate().fired == ()

        services.fleet.stop_queue(queue)
        fired = evaluator.service.evaluate().fired
        assert [a.key for a in fired] == [f"queue_without_worker:{queue}"]
        assert [a.key for a in services.open_alerts() or []] == [fired[0].key]

        services.fleet.start_queue(queue)
        assert [a.key for a in evaluator.service.evaluate().cleared] == [fired[0].key]
        assert services.open_alerts() == []
    finally:
        services.close()
