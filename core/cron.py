"""Cron expressions read as Temporal reads them, to tell when a schedule last should have fired.

Temporal turns a schedule's cron string into a calendar: 5 fields (minute hour day-of-month
month day-of-week), 6 (the same plus year) or 7 (second first, year last); ``@hourly``,
``@daily``, ``@weekly``, ``@monthly``, ``@yearly`` and ``@every <interval>[/<phase>]`` (from
the Unix epoch); a trailing ``# comment``. Unlike classic cron, day-of-month and day-of-week
must both match. Times are UTC; a ``CRON_TZ=``/``TZ=`` prefix is refused here (it names a zone
whose daylight saving shifts firings), so callers fall back to asking Temporal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from core.errors import WorkflowBuilderError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How far back a firing is looked for (an expression that fires less often gives None).
SEARCH_DAYS = 5 * 366
_SHORTHANDS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}


class CronError(WorkflowBuilderError):
    """A cron expression this module cannot read (Temporal may still accept it).

    Attributes:
        expression: the expression as given.
        reason: what is not understood.
    """

    def __init__(self, expression: str, reason: str) -> None:
        self.expression = expression
        self.reason = reason
        super().__init__(f"cron expression {expression!r}: {reason}")


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression: a calendar of allowed values, or a fixed interval."""

    seconds: frozenset[int] = frozenset({0})
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()  # 0 = Sunday
    years: frozenset[int] | None = None  # None: any year
    every: timedelta | None = None
    phase: timedelta = timedelta(0)

    def previous(self, at: datetime) -> datetime | None:
        """The latest firing at or before ``at`` (aware), None within :data:`SEARCH_DAYS`."""
        at = at.astimezone(UTC).replace(microsecond=0)
        if self.every is not None:
            steps = (at - _EPOCH - self.phase) // self.every
            return _EPOCH + self.phase + steps * self.every
        day = at.date()
        for _ in range(SEARCH_DAYS):
            if self._day_matches(day):
                limit = at.time() if day == at.date() else time(23, 59, 59)
                found = self._latest_time(limit)
                if found is not None:
                    return datetime.combine(day, found, UTC)
            day -= timedelta(days=1)
        return None

    def _day_matches(self, day: date) -> bool:
        return (
            (self.years is None or day.year in self.years)
            and day.month in self.months
            and day.day in self.days
            and (day.weekday() + 1) % 7 in self.weekdays
        )

    def _latest_time(self, limit: time) -> time | None:
        for hour in sorted((h for h in self.hours if h <= limit.hour), reverse=True):
            top_minute = limit.minute if hour == limit.hour else 59
            for minute in sorted((m for m in self.minutes if m <= top_minute), reverse=True):
                at_limit = hour == limit.hour and minute == limit.minute
                top_second = limit.second if at_limit else 59
                seconds = [s for s in self.seconds if s <= top_second]
                if seconds:
                    return time(hour, minute, max(seconds))
        return None


def parse_cron(expression: str) -> Cron:
    """Read a cron expression (see the module docstring for what is understood).

    Raises:
        CronError: the expression is not understood.
    """
    text = expression.split("#", 1)[0].strip()
    if text.upper().startswith(("CRON_TZ=", "TZ=")):
        raise CronError(expression, "time zones are not read here")
    if text.startswith("@every"):
        return _every(expression, text.removeprefix("@every").strip())
    text = _SHORTHANDS.get(text.lower(), text)
    fields = text.split()
    if len(fields) == 5:
        fields = ["0", *fields, "*"]
    elif len(fields) == 6:
        fields = ["0", *fields]
    elif len(fields) != 7:
        raise CronError(expression, f"expected 5 to 7 fields, got {len(fields)}")
    second, minute, hour, day, month, weekday, year = fields
    weekdays = _values(expression, weekday, 0, 7, _DAYS)
    return Cron(
        seconds=_values(expression, second, 0, 59),
        minutes=_values(expression, minute, 0, 59),
        hours=_values(expression, hour, 0, 23),
        days=_values(expression, day, 1, 31),
        months=_values(expression, month, 1, 12, _MONTHS, first=1),
        weekdays=frozenset(d % 7 for d in weekdays),  # 7 is Sunday too
        years=None if year in ("*", "?") else _values(expression, year, 1970, 2999),
    )


def _values(
    expression: str,
    field: str,
    low: int,
    high: int,
    names: tuple[str, ...] = (),
    *,
    first: int = 0,
) -> frozenset[int]:
    """The values a field allows: a list of ``*``, ``n`` or ``a-b``, each optionally ``/step``."""
    found: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = _number(expression, step_text, names, first) if step_text else 1
        if span in ("*", "?"):
            start, end = low, high
        elif "-" in span:
            start_text, end_text = span.split("-", 1)
            start = _number(expression, start_text, names, first)
            end = _number(expression, end_text, names, first)
        else:
            start = _number(expression, span, names, first)
            end = high if step_text else start
        if not low <= start <= end <= high or step < 1:
            raise CronError(expression, f"{part!r} is outside {low}-{high}")
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _number(expression: str, text: str, names: tuple[str, ...], first: int) -> int:
    upper = text.strip().upper()
    if upper in names:
        return names.index(upper) + first
    if not upper.isdigit():
        raise CronError(expression, f"{text!r} is not a number")
    return int(upper)


def _every(expression: str, text: str) -> Cron:
    interval_text, _, phase_text = text.partition("/")
    every = _duration(expression, interval_text)
    if every <= timedelta(0):
        raise CronError(expression, "@every needs a positive interval")
    phase = _duration(expression, phase_text) if phase_text else timedelta(0)
    return Cron(every=every, phase=phase)


def _duration(expression: str, text: str) -> timedelta:
    """A Go-style duration such as ``1h30m`` (plus ``d`` for days, as Temporal allows)."""
    text = text.strip()
    parts = _DURATION_PART.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise CronError(expression, f"{text!r} is not a duration such as 90s or 1h30m")
    return timedelta(seconds=sum(float(number) * _UNITS[unit] for number, unit in parts))
