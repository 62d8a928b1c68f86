"""How dashboard figures read: tile values and deltas, links to the runs behind a failing step,
schedule and worker columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from core.dashboard import Period, Tile
from core.dashboard_presentation import (
    STATUS_COLOURS,
    days_window,
    failed_runs_link,
    memory_text,
    outcomes_text,
    tile_text,
    upcoming_text,
    uptime_text,
)
from core.db import ExecutionStatus as E
from core.runs.listing import RunQuery, TimeRange


def test_counts_rates_and_durations_read_in_their_units_with_signed_changes():
    runs = tile_text(Tile("Runs", 1234, 1000))
    assert (runs.value, runs.delta, runs.delta_color) == ("1,234", "+234", "off")
    rate = tile_text(Tile("Failure rate", 12.5, 10.0, "%", higher_is_better=False))
    assert (rate.value, rate.delta, rate.delta_color) == ("12.5 %", "+2.5 pts", "inverse")
    assert rate.help == "Previous period of the same length: 10.0 %"
    p95 = tile_text(Tile("p95 duration", 0.45, 1.2, "s", higher_is_better=False))
    assert (p95.value, p95.delta) == ("450 ms", "-750 ms")
    alive = tile_text(Tile("Workers alive", 3, 1, higher_is_better=True))
    assert (alive.delta, alive.delta_color) == ("+2", "normal")


def test_no_change_is_grey_and_figures_of_now_have_no_delta():
    same = tile_text(Tile("Failed", 4, 4, higher_is_better=False))
    assert (same.delta, same.delta_color) == ("+0", "off")
    now = tile_text(Tile("In flight", 7, None))
    assert (now.value, now.delta) == ("7", None)
    empty = tile_text(Tile("p50 duration", None, 2.0, "s", higher_is_better=False))
    assert (empty.value, empty.delta) == ("–", None)


def test_failing_step_links_open_the_runs_page_on_the_same_failures_and_range():
    link = failed_runs_link("orders", period=Period.WEEK)
    assert link.startswith("./runs?")
    query = RunQuery.from_params(parse_qs(urlsplit(link).query))
    assert query.workflow == "orders"
    assert query.statuses == (E.FAILED, E.TIMED_OUT, E.TERMINATED)
    assert query.time_range is TimeRange.WEEK
    custom = failed_runs_link("orders", days=(date(2026, 3, 1), date(2026, 3, 7)))
    query = RunQuery.from_params(parse_qs(urlsplit(custom).query))
    assert (query.time_range, query.since, query.until) == (
        TimeRange.CUSTOM,
        date(2026, 3, 1),
        date(2026, 3, 7),
    )


def test_a_custom_range_covers_whole_utc_days_last_included():
    window = days_window(date(2026, 3, 1), date(2026, 3, 7))
    assert window.start == datetime(2026, 3, 1, tzinfo=UTC)
    assert window.end == datetime(2026, 3, 8, tzinfo=UTC)
    assert window.bucket == timedelta(hours=3)


def test_schedule_and_worker_columns():
    now = datetime(2026, 3, 1, 6, 55, tzinfo=UTC)
    firings = [now + timedelta(minutes=5), now + timedelta(days=1, minutes=5)]
    assert upcoming_text(firings, now) == "in 5 min (03-01 07:00 UTC), in 1 d (03-02 07:00 UTC)"
    assert outcomes_text([E.COMPLETED, E.FAILED, E.COMPLETED]) == "✓✗✓ (2 completed, 1 failed)"
    assert outcomes_text([]) == "no runs yet"
    assert memory_text(152_000_000) == "152 MB" and memory_text(None) == ""
    assert uptime_text(3725) == "1 h 2 m" and uptime_text(None) == ""


def test_every_status_has_its_own_chart_colour():
    assert set(STATUS_COLOURS) == set(E)
    assert len(set(STATUS_COLOURS.values())) == len(E)
