"""Open alerts: a sync fires what is new, keeps what holds, clears what no longer does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.db import AlertSeverity, Database
from core.db.repositories import AlertFinding

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def finding(key: str, rule: str = "r", *, title: str = "t", critical: bool = False) -> AlertFinding:
    severity = AlertSeverity.CRITICAL if critical else AlertSeverity.WARNING
    return AlertFinding(key, rule, severity, title, "detail", "./workers")


def test_sync_fires_keeps_and_clears(db: Database) -> None:
    first = db.alerts.sync([finding("r:a"), finding("r:b")], rules=["r"], now=T0)
    later = T0 + timedelta(minutes=1)
    second = db.alerts.sync([finding("r:b", title="t2")], rules=["r"], now=later)

    assert [a.key for a in first.fired] == ["r:a", "r:b"] and first.cleared == ()
    assert second.fired == () and [a.key for a in second.cleared] == ["r:a"]
    [kept] = db.alerts.open()
    assert (kept.key, kept.title, kept.first_seen, kept.last_seen) == ("r:b", "t2", T0, later)


def test_alerts_of_rules_not_evaluated_stay_open(db: Database) -> None:
    db.alerts.sync([finding("r:a"), finding("s:a", "s")], rules=["r", "s"], now=T0)

    changes = db.alerts.sync([], rules=["r"], now=T0 + timedelta(minutes=1))

    assert [a.key for a in changes.cleared] == ["r:a"]
    assert [a.key for a in db.alerts.open()] == ["s:a"]


def test_open_lists_critical_first_then_oldest(db: Database) -> None:
    db.alerts.sync([finding("r:old")], rules=["r"], now=T0)
    db.alerts.sync(
        [finding("r:old"), finding("r:new"), finding("r:down", critical=True)],
        rules=["r"],
        now=T0 + timedelta(minutes=1),
    )

    assert [a.key for a in db.alerts.open()] == ["r:down", "r:old", "r:new"]
