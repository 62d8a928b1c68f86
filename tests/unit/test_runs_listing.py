"""The Runs page's query: shared links in and out, the database filter, table texts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.db import ExecutionRecord, ExecutionSort, ExecutionStatus, RunTrigger
from core.runs.listing import (
    RunQuery,
    TimeRange,
    age_text,
    error_preview,
    failed_step,
    format_duration,
    last_run_text,
    page_count,
    run_duration,
    run_link,
    runs_link,
    utc_text,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _record(**changes: object) -> ExecutionRecord:
    base = ExecutionRecord(
        id=1,
        workflow_id="greeter-1",
        run_id="r-1",
        workflow_type="greeter_v1",
        definition_id=7,
        version=1,
        task_queue="q",
        status=ExecutionStatus.COMPLETED,
        trigger=RunTrigger.MANUAL,
        start_time=NOW - timedelta(minutes=5),
        close_time=NOW - timedelta(minutes=5) + timedelta(seconds=2.5),
        history_length=11,
        parent_workflow_id=None,
        parent_run_id=None,
        input_preview=None,
        result_preview=None,
        error=None,
        failed_node_id=None,
        failed_node_label=None,
        details_synced=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_an_empty_link_is_the_default_query():
    assert RunQuery.from_params({}) == RunQuery()
    assert RunQuery().to_params() == {}


def test_a_link_with_every_field_comes_back_the_same():
    query = RunQuery(
        workflow="greeter",
        version=3,
        statuses=(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT),
        triggers=(RunTrigger.SCHEDULE,),
        time_range=TimeRange.CUSTOM,
        since=date(2026, 3, 1),
        until=date(2026, 3, 9),
        search="greeter-",
        sort=ExecutionSort.CLOSE_TIME,
        descending=False,
        page_size=100,
    )
    params = query.to_params()
    assert params["status"] == "failed,timed_out"
    assert params["from"] == "2026-03-01"
    assert RunQuery.from_params(params) == query


def test_the_issue_links_read_as_meant():
    failed = RunQuery.from_params({"workflow": "orders", "status": "failed"})
    assert failed.workflow == "orders"
    assert failed.statuses == (ExecutionStatus.FAILED,)
    assert RunQuery.from_params({"run": "abc-123"}).search == "abc-123"


def test_repeated_and_comma_separated_values_both_count_once_each():
    query = RunQuery.from_params({"status": ["failed", "running,failed"], "trigger": "child"})
    assert query.statuses == (ExecutionStatus.FAILED, ExecutionStatus.RUNNING)
    assert query.triggers == (RunTrigger.CHILD,)


def test_nonsense_in_a_link_is_ignored_not_fatal():
    query = RunQuery.from_params(
        {
            "status": "failed,exploded",
            "version": "three",
            "range": "fortnight",
            "sort": "drop table",
            "size": "7",
            "from": "yesterday",
        }
    )
    assert query == RunQuery(statuses=(ExecutionStatus.FAILED,))


def test_custom_dates_only_count_with_a_custom_range():
    assert RunQuery.from_params({"range": "24h", "from": "2026-03-01"}).since is None


def test_filter_carries_each_choice():
    query = RunQuery(
        version=2,
        statuses=(ExecutionStatus.RUNNING,),
        triggers=(RunTrigger.MANUAL, RunTrigger.EXTERNAL),
        search="  greeter-  ",
    )
    found = query.to_filter(definition_id=7, now=NOW)
    assert found.definition_id == 7
    assert found.version == 2
    assert found.statuses == (ExecutionStatus.RUNNING,)
    assert found.triggers == (RunTrigger.MANUAL, RunTrigger.EXTERNAL)
    assert found.search == "greeter-"
    assert (found.started_after, found.started_before) == (None, None)


def test_no_choice_means_any():
    found = RunQuery().to_filter(definition_id=None, now=NOW)
    assert (found.statuses, found.triggers, found.search) == (None, None, None)


@pytest.mark.parametrize(
    ("time_range", "span"),
    [
        (TimeRange.HOUR, timedelta(hours=1)),
        (TimeRange.DAY, timedelta(days=1)),
        (TimeRange.WEEK, timedelta(days=7)),
        (TimeRange.MONTH, timedelta(days=30)),
    ],
)
def test_relative_ranges_count_back_from_now(time_range: TimeRange, span: timedelta):
    found = RunQuery(time_range=time_range).to_filter(definition_id=None, now=NOW)
    assert found.started_after == NOW - span
    assert found.started_before is None


def test_a_custom_range_includes_its_last_day():
    query = RunQuery(time_range=TimeRange.CUSTOM, since=date(2026, 3, 1), until=date(2026, 3, 9))
    found = query.to_filter(definition_id=None, now=NOW)
    assert found.started_after == datetime(2026, 3, 1, tzinfo=UTC)
    assert found.started_before == datetime(2026, 3, 10, tzinfo=UTC)


def test_a_custom_range_may_be_open_at_one_end():
    query = RunQuery(time_range=TimeRange.CUSTOM, until=date(2026, 3, 9))
    found = query.to_filter(definition_id=None, now=NOW)
    assert found.started_after is None
    assert found.started_before == datetime(2026, 3, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("total", "size", "pages"), [(0, 25, 1), (1, 25, 1), (25, 25, 1), (26, 25, 2), (100, 50, 2)]
)
def test_page_count(total: int, size: int, pages: int):
    assert page_count(total, size) == pages


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0 ms"),
        (0.85, "850 ms"),
        (12.54, "12.5 s"),
        (200, "3 m 20 s"),
        (7500, "2 h 5 m"),
        (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"),
        (-3, "0 ms"),
    ],
)
def test_format_duration(seconds: float, text: str):
    assert format_duration(timedelta(seconds=seconds)) == text


def test_durations_of_closed_and_running_runs():
    assert run_duration(_record(), NOW) == "2.5 s"
    running = _record(status=ExecutionStatus.RUNNING, close_time=None)
    assert run_duration(running, NOW) == "5 m 0 s so far"
    assert format_duration(None) == ""


def test_failed_step_names_label_and_id():
    assert failed_step(_record()) == ""
    assert failed_step(_record(failed_node_id="charge")) == "charge"
    assert failed_step(_record(failed_node_id="charge", failed_node_label="Charge card")) == (
        "Charge card (charge)"
    )


def test_error_preview_keeps_the_first_line_and_cuts_it():
    assert error_preview(None) == ""
    assert error_preview("  \n ") == ""
    assert error_preview("boom\ntraceback...") == "boom"
    cut = error_preview("x" * 500, limit=10)
    assert cut == "x" * 9 + "…"


def test_links_encode_what_they_carry():
    assert run_link("greeter-1", "r-1") == "./run?workflow_id=greeter-1&run_id=r-1"
    assert run_link("a&b=c", "r 1") == "./run?workflow_id=a%26b%3Dc&run_id=r+1"
    assert runs_link("orders") == "./runs?workflow=orders"


def test_utc_text_shows_any_zone_in_utc():
    moment = datetime(2026, 3, 10, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    assert utc_text(moment) == "2026-03-10 12:30:05"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (2, "just now"),
        (40, "40 s ago"),
        (300, "5 min ago"),
        (3 * 3600 + 5, "3 h ago"),
        (2 * 86400, "2 d ago"),
    ],
)
def test_age_text(seconds: int, text: str):
    assert age_text(NOW - timedelta(seconds=seconds), NOW) == text


def test_last_run_text():
    record = _record(status=ExecutionStatus.TIMED_OUT)
    assert last_run_text(record.status, record.start_time, NOW) == "timed out, 5 min ago"
