"""Alerts: rules over the dashboard's figures, open alerts in the database, a webhook.

Rules (``AlertRule``) are evaluated on a daemon thread (``AlertEvaluator``) of the process that
holds the run monitor's lease, so one process decides and posts; every process reads the open
alerts from the database for the console's banner.
"""

from core.alerts.checks import CHECKS, CheckContext
from core.alerts.rules import AlertKind, AlertRule, default_rules
from core.alerts.service import AlertEvaluator, AlertService, run_monitor_leader, start_alerts
from core.alerts.webhook import WebhookNotifier, payload
from core.db import AlertRecord as Alert
from core.db import AlertSeverity
from core.db.repositories import AlertChanges, AlertFinding

__all__ = [
    "CHECKS",
    "Alert",
    "AlertChanges",
    "AlertEvaluator",
    "AlertFinding",
    "AlertKind",
    "AlertRule",
    "AlertService",
    "AlertSeverity",
    "CheckContext",
    "WebhookNotifier",
    "default_rules",
    "payload",
    "run_monitor_leader",
    "start_alerts",
]
