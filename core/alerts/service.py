"""Evaluating the alert rules: open alerts fire and clear, and the webhook hears of both."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from core.alerts.checks import CHECKS, CheckContext
from core.alerts.rules import AlertRule, default_rules
from core.alerts.webhook import WebhookNotifier, payload
from core.config import Settings
from core.db import AlertRecord, Database
from core.db.repositories import AlertChanges, AlertFinding
from core.db.types import utc_now
from core.runs.monitor import LEASE
from core.schedules import TemporalCaller

logger = logging.getLogger(__name__)

#: Seconds between evaluations in the app.
INTERVAL = 30.0


class AlertService:
    """Evaluates the rules against the records and keeps the open alerts in the database.

    Args:
        database: the records the rules read, and the open alerts.
        rules: the rules to evaluate.
        webhook: told of every alert that fires or clears (None: nobody is).
        temporal: asked about schedules whose cron expression cannot be read locally.
    """

    def __init__(
        self,
        database: Database,
        rules: Sequence[AlertRule] = default_rules(),
        *,
        webhook: WebhookNotifier | None = None,
        temporal: TemporalCaller | None = None,
    ) -> None:
        self._db = database
        self.rules = tuple(rules)
        self._webhook = webhook
        self._temporal = temporal

    def open(self) -> list[AlertRecord]:
        """The open alerts, critical first (one query; what the console banner shows)."""
        return self._db.alerts.open()

    def evaluate(self, *, now: datetime | None = None) -> AlertChanges:
        """Evaluate every rule once: fire what newly holds, clear what no longer does.

        A rule that fails to evaluate keeps its open alerts as they were (logged).
        """
        context = CheckContext(self._db, now or utc_now(), self._temporal)
        findings: list[AlertFinding] = []
        evaluated: list[str] = []
        for rule in self.rules:
            try:
                findings += CHECKS[rule.kind](rule, context)
            except Exception:  # one broken rule must not keep the others from firing or clearing
                logger.exception("alert rule %s could not be evaluated", rule.rule_name)
                continue
            evaluated.append(rule.rule_name)
        changes = self._db.alerts.sync(findings, rules=evaluated, now=context.now)
        for alert in changes.fired:
            logger.warning("alert fired: %s (%s)", alert.title, alert.key)
            self._notify("fired", alert, context.now)
        for alert in changes.cleared:
            logger.info("alert cleared: %s (%s)", alert.title, alert.key)
            self._notify("cleared", alert, context.now)
        return changes

    def close(self) -> None:
        """Send what the webhook has queued, then stop it."""
        if self._webhook is not None:
            self._webhook.close()

    def _notify(self, event: str, alert: AlertRecord, at: datetime) -> None:
        if self._webhook is not None:
            self._webhook.notify(payload(event, alert, at=at))


class AlertEvaluator:
    """Evaluates the alerts every ``interval`` seconds on a daemon thread, while ``leader``
    says this process should (the run monitor's lease holder: one process posts webhooks).

    Args:
        service: the rules, the database and the webhook.
        leader: True while this process is the one that evaluates.
        interval: seconds between evaluations.
    """

    def __init__(
        self, service: AlertService, *, leader: Callable[[], bool], interval: float = INTERVAL
    ) -> None:
        self.service = service
        self._leader = leader
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start evaluating."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="alerts", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop evaluating and flush the webhook."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.service.close()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if self._leader():
                    self.service.evaluate()
            except Exception as error:  # noqa: BLE001 - evaluation must outlive any outage
                # The database is away, most likely: the next evaluation catches up.
                logger.warning("alert evaluation failed: %s", error)


def run_monitor_leader(database: Database, holder: str) -> Callable[[], bool]:
    """A ``leader`` check: True while ``holder`` (a ``RunMonitor.holder``) holds the lease."""

    def holds() -> bool:
        state = database.monitor.state(LEASE)
        return (
            state is not None
            and state.holder == holder
            and state.lease_expires_at is not None
            and state.lease_expires_at > utc_now()
        )

    return holds


def start_alerts(
    settings: Settings, database: Database, temporal: TemporalCaller, monitor_holder: str
) -> AlertEvaluator:
    """Start evaluating the ``WB_ALERT_*`` rules beside a run monitor (``RunMonitor.holder``):
    they run only while that monitor holds the lease, posting to ``WB_ALERT_WEBHOOK_URL``."""
    url = settings.alert_webhook_url
    service = AlertService(
        database,
        default_rules(settings),
        webhook=WebhookNotifier(url) if url else None,
        temporal=temporal,
    )
    evaluator = AlertEvaluator(service, leader=run_monitor_leader(database, monitor_holder))
    evaluator.start()
    return evaluator
