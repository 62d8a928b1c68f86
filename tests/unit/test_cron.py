"""Cron expressions read as Temporal reads them: when did a schedule last have to fire?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.cron import CronError, parse_cron


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "now", "previous"),
    [
        ("*/5 * * * *", "2026-03-04 10:07:30", "2026-03-04 10:05:00"),
        ("*/5 * * * *", "2026-03-04 10:05:00", "2026-03-04 10:05:00"),
        ("0 7 * * 1-5", "2026-03-08 12:00:00", "2026-03-06 07:00:00"),  # Sunday -> Friday
        ("0 7 * * MON-FRI", "2026-03-09 06:59:59", "2026-03-06 07:00:00"),
        ("30 2 1 * *", "2026-03-01 02:29:00", "2026-02-01 02:30:00"),
        ("0 0 * FEB *", "2026-03-04 00:00:00", "2026-02-28 00:00:00"),
        ("0 0 * * 7", "2026-03-04 00:00:00", "2026-03-01 00:00:00"),  # 7 is Sunday too
        ("0 12 13 * 5", "2026-03-13 11:00:00", "2026-02-13 12:00:00"),  # the 13th AND a Friday
        ("0 9 * * * 2025", "2026-03-04 00:00:00", "2025-12-31 09:00:00"),  # 6 fields: year
        ("*/10 * * * * * *", "2026-03-04 10:00:25.7", "2026-03-04 10:00:20"),  # 7: seconds
        ("1,2-3,50-59/5 0 * * *", "2026-03-04 00:10:00", "2026-03-04 00:03:00"),
        ("@hourly", "2026-03-04 10:59:00", "2026-03-04 10:00:00"),
        ("@daily # nightly report", "2026-03-04 10:59:00", "2026-03-04 00:00:00"),
        ("@weekly", "2026-03-04 10:00:00", "2026-03-01 00:00:00"),
        ("@every 90s", "1970-01-01 00:04:00", "1970-01-01 00:03:00"),
        ("@every 1h/15m", "2026-03-04 10:10:00", "2026-03-04 09:15:00"),
    ],
)
def test_previous_firing(expression: str, now: str, previous: str) -> None:
    assert parse_cron(expression).previous(at(now)) == at(previous)


def test_an_expression_that_never_fired_within_the_search_gives_none() -> None:
    assert parse_cron("0 0 30 FEB *").previous(at("2026-03-04 00:00:00")) is None
    assert parse_cron("0 0 1 1 * 2030").previous(at("2026-03-04 00:00:00")) is None


def test_aware_times_in_other_zones_are_read_in_utc() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 3, 4, 11, 7, tzinfo=ZoneInfo("Europe/Paris"))  # 10:07 UTC

    assert parse_cron("0 * * * *").previous(local) == at("2026-03-04 10:00:00")


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("* * * *", "expected 5 to 7 fields"),
        ("61 * * * *", "outside 0-59"),
        ("* * * * MON-FUNDAY", "not a number"),
        ("CRON_TZ=Europe/Paris 0 7 * * *", "time zones"),
        ("@every 5 minutes", "not a duration"),
        ("@every 0s", "positive interval"),
        ("*/0 * * * *", "outside"),
    ],
)
def test_what_is_not_understood_says_why(expression: str, reason: str) -> None:
    with pytest.raises(CronError, match=reason) as caught:
        parse_cron(expression)

    assert caught.value.expression == expression


def test_every_gives_its_interval() -> None:
    assert parse_cron("@every 1h30m").every == timedelta(minutes=90)
