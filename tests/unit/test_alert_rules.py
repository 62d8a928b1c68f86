"""What each alert rule finds, at its edges, on a throwaway SQLite database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from core.alerts import (
    CHECKS,
    AlertEvaluator,
    AlertKind,
    AlertRule,
    AlertService,
    AlertSeverity,
    CheckContext,
    default_rules,
    run_monitor_leader,
)
from core.alerts.webhook import payload
from core.config import load_settings
from core.db import Database, ExecutionStatus, RunTrigger, WorkerStatus
from core.db.records import AlertRecord
from core.runs.listing import RunQuery, TimeRange
from core.runs.monitor import LEASE
from tests.alert_world import AlertWorld

E = ExecutionStatus
MINUTE = timedelta(minutes=1)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[AlertWorld]:
    with Database.open(f"sqlite:///{tmp_path / 'app.db'}") as db:
        yield AlertWorld(db)


def found(world: AlertWorld, rule: AlertRule) -> dict[str, tuple[str, str]]:
    """Key -> (title, link) of what the rule finds now."""
    context = CheckContext(world.db, world.now)
    return {f.key: (f.title, f.link) for f in CHECKS[rule.kind](rule, context)}


RATE = AlertRule(AlertKind.FAILURE_RATE, threshold=20, window=15 * MINUTE, min_runs=5)


def test_failure_rate_fires_above_the_threshold_with_a_link_to_the_failed_runs(
    world: AlertWorld,
) -> None:
    orders = world.workflow("orders")
    world.runs(orders, E.COMPLETED, 3)
    world.runs(orders, E.FAILED, 1)
    world.runs(orders, E.TIMED_OUT, 1)

    [(title, link)] = found(world, RATE).values()

    assert title == "orders: 40% of runs failed in the last 15 min"
    query = RunQuery.from_params({k: v for k, v in parse_qs(urlsplit(link).query).items()})
    assert urlsplit(link).path == "./runs"
    assert query.workflow == "orders" and query.time_range is TimeRange.HOUR
    assert set(query.statuses) == {E.FAILED, E.TIMED_OUT, E.TERMINATED}


def test_failure_rate_needs_more_than_the_threshold_of_enough_recent_runs(
    world: AlertWorld,
) -> None:
    exactly = world.workflow("exactly")
    world.runs(exactly, E.COMPLETED, 4)
    world.runs(exactly, E.FAILED, 1)  # 20%: not above
    few = world.workflow("few")
    world.runs(few, E.FAILED, 4)  # 100% of 4 runs: too few
    old = world.workflow("old")
    world.runs(old, E.FAILED, 5, ago=16 * MINUTE)  # before the window

    assert found(world, RATE) == {}
    assert list(found(world, AlertRule(AlertKind.FAILURE_RATE, threshold=19))) == [
        "failure_rate:exactly",
        "failure_rate:few",
    ]


def test_a_lost_worker_alerts_for_the_window_and_other_failures_do_not(
    world: AlertWorld,
) -> None:
    world.worker("w-lost", "q")
    world.worker("w-crashed", "q")
    world.db.workers.set_status("w-crashed", WorkerStatus.FAILED, error="ImportError: boom")
    world.now += MINUTE
    world.lose_workers()
    rule = AlertRule(AlertKind.WORKER_LOST, window=15 * MINUTE)

    [(key, (title, link))] = found(world, rule).items()
    world.now += 16 * MINUTE

    assert (key, title, link) == (
        "worker_lost:w-lost",
        "Worker w-lost on queue q was lost",
        "./workers",
    )
    assert found(world, rule) == {}


def test_a_deployed_queue_needs_a_starting_or_running_worker(world: AlertWorld) -> None:
    orders = world.workflow("orders")
    world.deploy(orders, "q-orders")
    world.deploy(world.workflow("billing"), "q-billing")
    world.worker("w-billing", "q-billing")
    world.worker("w-orders", "q-orders")
    world.db.workers.set_status("w-orders", WorkerStatus.STOPPING)
    rule = AlertRule(AlertKind.QUEUE_WITHOUT_WORKER, severity=AlertSeverity.CRITICAL)

    assert found(world, rule) == {
        "queue_without_worker:q-orders": ("No live worker on task queue q-orders", "./workers")
    }


SCHEDULE = AlertRule(AlertKind.SCHEDULE_STOPPED, grace=2 * MINUTE)


def test_a_schedule_that_missed_its_firing_alerts_and_links_its_scheduled_runs(
    world: AlertWorld,
) -> None:
    nightly = world.workflow("nightly")
    created = world.db.schedules.get(world.schedule(nightly, "nightly", "*/5 * * * *")).created_at
    world.now = created + MINUTE
    assert found(world, SCHEDULE) == {}  # its last firing due (2 min grace) was before it

    world.now = created + 10 * MINUTE  # a firing was due at least 3 minutes after it
    [(title, link)] = found(world, SCHEDULE).values()

    assert title == "Schedule of nightly stopped firing"
    assert link == "./runs?workflow=nightly&trigger=schedule"


@pytest.mark.parametrize(
    ("status", "ago", "closed", "alerts"),
    [
        (E.COMPLETED, 1, True, False),  # fired at the last due time
        (E.COMPLETED, 6, True, True),  # fired one period earlier, nothing since
        (E.RUNNING, 30, False, False),  # still open: Temporal skips firings meanwhile
    ],
)
def test_a_recent_or_open_scheduled_run_accounts_for_the_firing(
    world: AlertWorld, status: E, ago: int, closed: bool, alerts: bool
) -> None:
    nightly = world.workflow("nightly")
    world.schedule(nightly, "nightly", "* * * * *")
    world.now += 30 * MINUTE
    world.now = world.now.replace(second=30, microsecond=0)  # firings at :00, 2 min grace
    world.runs(
        nightly,
        status,
        ago=timedelta(minutes=ago, seconds=30),
        trigger=RunTrigger.SCHEDULE,
        closed=closed,
    )

    assert bool(found(world, SCHEDULE)) is alerts


def test_a_paused_schedule_or_an_unreadable_cron_never_alerts(world: AlertWorld) -> None:
    paused = world.workflow("paused")
    world.db.schedules.set_paused(world.schedule(paused, "paused", "* * * * *"), True)
    zoned = world.workflow("zoned")
    world.schedule(zoned, "zoned", "CRON_TZ=Europe/Paris * * * * *")  # no Temporal to ask
    world.now += 30 * MINUTE

    assert found(world, SCHEDULE) == {}


def test_default_rules_come_from_the_settings_and_name_themselves_by_kind() -> None:
    settings = load_settings(
        {"WB_ALERT_FAILURE_RATE": "35", "WB_ALERT_WINDOW_MINUTES": "60", "WB_ALERT_MIN_RUNS": "3"}
    )
    rules = {rule.kind: rule for rule in default_rules(settings)}

    rate = rules[AlertKind.FAILURE_RATE]
    assert (rate.threshold, rate.window, rate.min_runs) == (35.0, 60 * MINUTE, 3)
    assert rules[AlertKind.WORKER_LOST].window == 60 * MINUTE
    assert rules[AlertKind.QUEUE_WITHOUT_WORKER].severity is AlertSeverity.CRITICAL
    assert [rule.rule_name for rule in rules.values()] == [kind.value for kind in AlertKind]


def test_webhook_payload_carries_the_alert_and_a_one_line_text(world: AlertWorld) -> None:
    alert = AlertRecord(
        "k", "r", AlertSeverity.CRITICAL, "No live worker", "d", "./workers", world.now, world.now
    )

    body = payload("cleared", alert, at=world.now)

    assert body["text"] == "[cleared] critical: No live worker"
    assert body["alert"]["link"] == "./workers" and body["event"] == "cleared"


def test_the_evaluator_runs_only_while_its_process_holds_the_run_monitor_lease(
    world: AlertWorld,
) -> None:
    world.deploy(world.workflow("orders"), "q-orders")
    world.db.monitor.acquire(LEASE, "other-process", ttl=MINUTE)
    leader = run_monitor_leader(world.db, "this-process")
    asked: list[bool] = []

    def counted() -> bool:
        asked.append(leader())
        return asked[-1]

    evaluator = AlertEvaluator(AlertService(world.db), leader=counted, interval=0.02)
    evaluator.start()
    try:
        eventually(lambda: len(asked) >= 3)
        assert world.db.alerts.open() == []

        world.db.monitor.release(LEASE, "other-process")
        world.db.monitor.acquire(LEASE, "this-process", ttl=MINUTE)
        eventually(lambda: bool(world.db.alerts.open()))
    finally:
        evaluator.stop()

    assert [a.key for a in world.db.alerts.open()] == ["queue_without_worker:q-orders"]


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the deadline"
        time.sleep(0.01)
