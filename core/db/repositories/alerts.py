"""Open alerts: what the alert rules found at their last evaluation, kept until they clear."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.db.models import AlertRow
from core.db.records import AlertRecord, AlertSeverity
from core.db.repositories._base import Repository, to_record


@dataclass(frozen=True)
class AlertFinding:
    """One thing a rule found to hold now (an alert before it has a history)."""

    key: str
    rule: str
    severity: AlertSeverity
    title: str
    detail: str
    link: str


@dataclass(frozen=True)
class AlertChanges:
    """What one evaluation changed: alerts that fired, alerts that cleared."""

    fired: tuple[AlertRecord, ...]
    cleared: tuple[AlertRecord, ...]


class AlertRepository(Repository):
    """The open alerts, most severe then oldest first; one writer (the run monitor's lease
    holder) syncs them, every process reads them."""

    def open(self) -> list[AlertRecord]:
        """The open alerts, critical before warning, then oldest first."""
        with self._reading() as session:
            rows = session.scalars(select(AlertRow).order_by(AlertRow.first_seen, AlertRow.key))
            found = [to_record(AlertRecord, row) for row in rows]
        order = list(AlertSeverity)
        return sorted(found, key=lambda a: -order.index(a.severity))

    def sync(
        self, findings: Sequence[AlertFinding], *, rules: Iterable[str], now: datetime
    ) -> AlertChanges:
        """Make the open alerts of ``rules`` match ``findings`` in one transaction.

        A finding without an open alert fires one; an open alert found again is kept (its
        text refreshed, ``last_seen`` moved); an open alert of one of ``rules`` not found
        again clears (its row is deleted). Alerts of other rules (say a rule that could not
        be evaluated this time) are left as they are.
        """
        evaluated = set(rules)
        fired: list[AlertRecord] = []
        cleared: list[AlertRecord] = []
        wanted = {finding.key: finding for finding in findings}
        with self._writing() as session:
            rows = {row.key: row for row in session.scalars(select(AlertRow).with_for_update())}
            for key, row in rows.items():
                if key in wanted:
                    _refresh(row, wanted[key], now)
                elif row.rule in evaluated:
                    cleared.append(to_record(AlertRecord, row))
                    session.delete(row)
            for key, finding in wanted.items():
                if key not in rows:
                    row = AlertRow(key=key, first_seen=now)
                    _refresh(row, finding, now)
                    session.add(row)
                    session.flush()
                    fired.append(to_record(AlertRecord, row))
        return AlertChanges(tuple(fired), tuple(cleared))


def _refresh(row: AlertRow, finding: AlertFinding, now: datetime) -> None:
    row.rule = finding.rule
    row.severity = finding.severity
    row.title = finding.title
    row.detail = finding.detail
    row.link = finding.link
    row.last_seen = now
