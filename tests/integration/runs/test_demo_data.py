"""Demo data on a real dev server: deployed, driven through every kind of run, then removed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from core.dashboard import Period, Window
from core.db import ExecutionFilter, ExecutionStatus, RunTrigger
from core.demo import PREFIX, DemoData
from core.services import AppServices


def test_demo_loads_a_mix_of_runs_and_removes_it_again(services: AppServices) -> None:
    demo = DemoData(services)

    report = demo.load(size=2, spread=0, timeout=120)

    assert len(report.workflows) == 15 and all(n.startswith(PREFIX) for n in report.workflows)
    assert sorted(demo.names()) == sorted(report.workflows)
    records = services.database.executions.find(ExecutionFilter(), limit=500).items
    statuses = Counter(r.status for r in records)
    triggers = Counter(r.trigger for r in records)
    assert len(records) == sum(report.started.values()) == 2 * 21
    # One payment over 500 a round, and the second round's order over its limit.
    assert statuses[ExecutionStatus.FAILED] == 3
    assert statuses[ExecutionStatus.CANCELED] == 1
    assert statuses[ExecutionStatus.COMPLETED] == len(records) - 4
    assert (triggers[RunTrigger.SCHEDULE], triggers[RunTrigger.CHILD]) == (2, 2)
    assert all(r.closed and r.details_synced for r in records)
    # 3 of 4 approvals (one is left to time out), 2 decisions, 2 x (3 greetings and an exit).
    assert report.signals == 3 + 2 + 2 * 4
    assert (report.updates, report.refused) == (2 * 4, 2)  # a guest invited twice a round
    assert report.statuses == {"completed": 38, "failed": 3, "canceled": 1}
    failures = {
        (r.failed_node_label, r.error) for r in records if r.status is ExecutionStatus.FAILED
    }
    assert failures == {
        ("Charge card", "Activity task failed: card declined"),
        ("Charge card", "Activity task failed: insufficient funds"),
        ("Refuse", "payment of 650 is over the limit of 500"),
    }
    # The newer constructs' runs, by what they returned.
    ran: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for r in records:
        if r.status is ExecutionStatus.COMPLETED:
            example = r.workflow_type.removeprefix(PREFIX).removesuffix("_v1")
            given, result = (json.loads(p or "null") for p in (r.input_preview, r.result_preview))
            ran[example].append((given, result))
    assert [result for _, result in ran["order_saga"]] == ["order placed: lamp"]
    # The second round's loop stops at its cap (break), past 50, before its target.
    assert sorted(result["count"] for _, result in ran["count_evens"]) == [10, 14]
    for given, result in ran["parallel_foreach"]:
        assert result == [f"{name.upper()}!" for name in given["items"]]
    decided = sorted(result["status"].split(" by ")[0] for _, result in ran["approve_or_reject"])
    assert decided == ["approved", "rejected"]
    assert [len(set(result)) for _, result in ran["collect_greetings"]] == [3, 3]
    assert [len(set(result)) for _, result in ran["guest_list"]] == [2, 2]  # one refused
    dashboard = services.dashboard
    window = Window.last(Period.HOUR)
    assert {s.step for s in dashboard.failing_steps(window)} == {
        "Charge card (charge)",
        "Refuse (refused)",
    }
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
