"""The run monitor and runs console against a real dev server, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

from core.db import ExecutionFilter, ExecutionStatus, RunTrigger
from core.db.repositories import Scope
from core.runs import MonitorSettings, NodeState, RunMonitor, RunTracer
from core.runtime import BundleStore
from core.services import AppServices
from tests.integration.runs.helpers import deploy, eventually, example, failing_graph


def test_a_failed_run_is_recorded_with_its_step(services: AppServices) -> None:
    workflow_id = deploy(services, failing_graph("charge_flow"))
    ref = services.runs.start(workflow_id, {})

    def recorded():
        record = services.console.find(ref.workflow_id, ref.run_id)
        return record if record.details_synced and record.closed else None

    record = eventually(recorded, what="the failed run recorded with its details")
    assert record.status is ExecutionStatus.FAILED
    assert record.trigger is RunTrigger.MANUAL
    assert (record.failed_node_id, record.failed_node_label) == ("charge", "Charge card")
    assert "card declined" in (record.error or "")
    assert record.version == 1 and record.definition_id == workflow_id

    detail = services.console.detail(ref.workflow_id, ref.run_id)
    states = {node_id: run.state for node_id, run in detail.trace.nodes.items()}
    assert states == {
        "start": NodeState.COMPLETED,
        "greet": NodeState.COMPLETED,
        "charge": NodeState.FAILED,
        "end": NodeState.NOT_REACHED,
    }
    assert detail.trace.exact
    greet = detail.trace.nodes["greet"].calls[-1]
    # The step's one input object (echo's parameter by name) and its result.
    assert (greet.input, greet.output) == ({"value": "hi"}, "hi")
    page = services.console.page(ExecutionFilter(statuses=(ExecutionStatus.FAILED,)))
    assert [item.run_id for item in page.items] == [ref.run_id]
    scope = Scope(
        record.start_time - timedelta(minutes=1), record.start_time + timedelta(minutes=1)
    )
    steps = {
        use.node_id: (use.calls, use.attempts, use.failed)
        for use in services.database.analytics.step_use(scope)
    }
    assert steps == {"greet": (1, 1, 0), "charge": (1, 1, 1)}


def test_the_monitor_catches_up_on_runs_that_closed_while_it_was_stopped(
    services: AppServices,
) -> None:
    workflow_id = deploy(services, example("hello_activity"))
    services.temporal.monitor.stop()
    refs = [services.runs.start(workflow_id, {"name": f"n{i}"}) for i in range(3)]
    for ref in refs:
        services.runs.wait(ref, timeout=30)
    # RunService.start wrote each run as running; nothing has recorded them closed.
    assert {services.console.find(r.workflow_id, r.run_id).details_synced for r in refs} == {False}

    successor = RunMonitor(services.database, services.temporal.gateway, tracer(services))
    report = successor.run_pass()

    assert report.held_lease
    records = [services.console.find(r.workflow_id, r.run_id) for r in refs]
    assert {r.status for r in records} == {ExecutionStatus.COMPLETED}
    assert {r.details_synced for r in records} == {True}
    assert sorted(r.result_preview or "" for r in records) == [
        '"Hello, n0!"',
        '"Hello, n1!"',
        '"Hello, n2!"',
    ]


def test_one_monitor_holds_the_lease_and_another_takes_over_when_it_dies(
    services: AppServices,
) -> None:
    services.temporal.monitor.stop()
    short = MonitorSettings(lease_ttl=timedelta(seconds=2))
    first = RunMonitor(services.database, services.temporal.gateway, tracer(services), short)
    second = RunMonitor(services.database, services.temporal.gateway, tracer(services), short)

    assert first.run_pass().held_lease
    assert not second.run_pass().held_lease
    assert first.run_pass().held_lease  # renewing its own lease
    # The first "dies": it stops renewing without giving the lease up.
    taken = eventually(lambda: second.run_pass().held_lease, timeout=10, what="takeover")

    assert taken
    assert not first.run_pass().held_lease
    state = services.database.monitor.state("runs")
    assert state is not None and state.holder == second.holder


def test_two_running_monitors_never_both_work(services: AppServices) -> None:
    stopped = services.temporal.monitor
    stopped.stop()
    fast = MonitorSettings(interval=0.1, lease_ttl=timedelta(seconds=2))
    monitors = [
        RunMonitor(services.database, services.temporal.gateway, tracer(services), fast)
        for _ in range(2)
    ]
    holders = set()
    for monitor in monitors:
        monitor.start()
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            state = services.database.monitor.state("runs")
            # Until one of the two first takes the lease, the row still names the stopped
            # monitor (its lease released, not its name), which a busy machine's first reads saw.
            if state is not None and state.holder not in (None, stopped.holder):
                holders.add(state.holder)
            time.sleep(0.05)
    finally:
        for monitor in monitors:
            monitor.stop()

    assert len(holders) == 1


def tracer(services: AppServices) -> RunTracer:
    return RunTracer(
        services.database, BundleStore(services.settings.deploy_dir), services.registry
    )
