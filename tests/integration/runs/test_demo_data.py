"""Demo data on a real dev server: deployed, driven through every kind of run, then removed."""

from __future__ import annotations

from collections import Counter

from core.dashboard import Period, Window
from core.db import ExecutionFilter, ExecutionStatus, RunTrigger
from core.demo import PREFIX, DemoData
from core.services import AppServices


def test_demo_loads_a_mix_of_runs_and_removes_it_again(services: AppServices) -> None:
    demo = DemoData(services)

    report = demo.load(size=2, spread=0, timeout=120)

    assert len(report.workflows) == 9 and all(n.startswith(PREFIX) for n in report.workflows)
    assert sorted(demo.names()) == sorted(report.workflows)
    records = services.database.executions.find(ExecutionFilter(), limit=500).items
    statuses = Counter(r.status for r in records)
    triggers = Counter(r.trigger for r in records)
    assert len(records) == sum(report.started.values()) == 2 * 15
    assert statuses[ExecutionStatus.FAILED] == 2  # one payment over 500 per round
    assert statuses[ExecutionStatus.CANCELED] == 1
    assert statuses[ExecutionStatus.COMPLETED] == len(records) - 3
    assert (triggers[RunTrigger.SCHEDULE], triggers[RunTrigger.CHILD]) == (2, 2)
    assert all(r.closed and r.details_synced for r in records)
    assert report.signals == 3  # of 4 approvals, one is left to time out
    assert report.statuses == {"completed": 27, "failed": 2, "canceled": 1}
    failures = {
        (r.failed_node_label, r.error) for r in records if r.status is ExecutionStatus.FAILED
    }
    assert failures == {
        ("Charge card", "Activity task failed: card declined"),
        ("Charge card", "Activity task failed: insufficient funds"),
    }
    dashboard = services.dashboard
    window = Window.last(Period.HOUR)
    assert {s.step for s in dashboard.failing_steps(window)} == {"Charge card (charge)"}
    retried = {s.step: s.retries for s in dashboard.retries(window)}
    assert retried["Flaky call (call)"] == 2 * 2 and retried["Charge card (charge)"] == 2
    (schedule,) = dashboard.schedules()
    assert schedule.workflow == f"{PREFIX}scheduled_report" and schedule.upcoming
    with_demo = {q.task_queue for q in dashboard.queues()}

    removal = demo.remove()

    assert sorted(removal.workflows) == sorted(report.workflows)
    assert (removal.schedules, removal.records) == (1, len(records))
    assert demo.names() == [] and services.workflows.list() == []
    assert services.database.executions.find(ExecutionFilter(), limit=10).total == 0
    assert services.database.schedules.find() == []
    assert not dashboard.has_runs() and not dashboard.has_deployments()
    live = {q.task_queue: q.live_workers for q in dashboard.queues()}
    assert all(live.get(queue, 0) == 0 for queue in with_demo), "demo workers stopped"
