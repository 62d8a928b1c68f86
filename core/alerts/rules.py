"""Alert rules: which condition, how strict, how urgent; and the default set from settings."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from core.config import (
    DEFAULT_ALERT_FAILURE_RATE,
    DEFAULT_ALERT_MIN_RUNS,
    DEFAULT_ALERT_WINDOW_MINUTES,
    Settings,
)
from core.db import AlertSeverity


class AlertKind(enum.StrEnum):
    """The conditions an alert rule can watch."""

    FAILURE_RATE = "failure_rate"
    WORKER_LOST = "worker_lost"
    QUEUE_WITHOUT_WORKER = "queue_without_worker"
    SCHEDULE_STOPPED = "schedule_stopped"


@dataclass(frozen=True)
class AlertRule:
    """One rule; each kind reads the parameters it needs and ignores the others.

    Attributes:
        kind: what the rule watches.
        threshold: failure rate: the percentage of runs failed that is too many (an alert
            needs more than this).
        window: failure rate: how far back runs count (by start time); worker lost: how
            long a lost worker keeps its alert.
        min_runs: failure rate: fewer runs than this in the window never alert (one failed
            run out of one is not a trend).
        grace: schedule stopped: how late a firing may be recorded before it counts as
            missed (the run monitor mirrors runs a few seconds after they start).
        severity: how urgent its alerts are.
        name: names the rule in alert keys and payloads (two rules of a kind need two names).
    """

    kind: AlertKind
    threshold: float = 0.0
    window: timedelta = timedelta(minutes=15)
    min_runs: int = 1
    grace: timedelta = timedelta(minutes=2)
    severity: AlertSeverity = AlertSeverity.WARNING
    name: str = ""

    @property
    def rule_name(self) -> str:
        """``name``, or the kind when the rule has none."""
        return self.name or self.kind.value


def default_rules(settings: Settings | None = None) -> tuple[AlertRule, ...]:
    """One rule of each kind, as ``WB_ALERT_*`` set them (their defaults without settings).

    A failure rate above ``alert_failure_rate`` percent of at least ``alert_min_runs`` runs
    started in the last ``alert_window_minutes``; a worker lost within that window; a deployed
    queue with no live worker (critical: its runs cannot move); a schedule that missed a firing.
    """
    rate = settings.alert_failure_rate if settings else DEFAULT_ALERT_FAILURE_RATE
    runs = settings.alert_min_runs if settings else DEFAULT_ALERT_MIN_RUNS
    minutes = settings.alert_window_minutes if settings else DEFAULT_ALERT_WINDOW_MINUTES
    window = timedelta(minutes=minutes)
    return (
        AlertRule(AlertKind.FAILURE_RATE, threshold=rate, window=window, min_runs=runs),
        AlertRule(AlertKind.WORKER_LOST, window=window),
        AlertRule(AlertKind.QUEUE_WITHOUT_WORKER, severity=AlertSeverity.CRITICAL),
        AlertRule(AlertKind.SCHEDULE_STOPPED),
    )
