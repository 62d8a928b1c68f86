"""The Runs page (AppTest) over execution records written straight into the database.

Only the bulk action test starts a real run (on a queue no worker serves), so Temporal has
something to terminate; the rest of the records are the database's alone.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.db import ExecutionFilter, ExecutionSort, ExecutionStatus, RunTrigger
from core.runs.listing import TimeRange
from core.temporal import connect

NOW = datetime.now(UTC)


def _services():
    from pages.widgets.services import get_services

    return get_services()


def _record(workflow: str, n: int, status: ExecutionStatus, *, age: timedelta, **known) -> None:
    _services().database.executions.upsert(
        workflow_id=f"{workflow}-{n:03d}",
        run_id=f"run-{workflow}-{n:03d}",
        workflow_type=f"{workflow}_v1",
        task_queue="runs-page-test",
        status=status,
        start_time=NOW - age,
        close_time=None if status is ExecutionStatus.RUNNING else NOW - age + timedelta(seconds=3),
        **known,
    )


@pytest.fixture
def seeded(app: AppTest) -> dict[str, int]:
    """Two workflows: ``orders`` with 30 completed, 4 failed (at "Charge card") and 2 running
    runs in the last hours, plus 2 completed 3 days ago; ``billing`` with 5 completed scheduled
    runs."""
    services = _services()
    ids = {name: services.workflows.create(name=name).id for name in ("orders", "billing")}
    orders = {"definition_id": ids["orders"], "version": 1, "trigger": RunTrigger.MANUAL}
    for n in range(30):
        _record("orders", n, ExecutionStatus.COMPLETED, age=timedelta(minutes=n + 10), **orders)
    for n in range(30, 34):
        _record(
            "orders",
            n,
            ExecutionStatus.FAILED,
            age=timedelta(minutes=n + 10),
            failed_node_id="charge",
            failed_node_label="Charge card",
            error="Declined: card declined\nTraceback ...",
            **orders,
        )
    for n in range(34, 36):
        _record("orders", n, ExecutionStatus.RUNNING, age=timedelta(minutes=1 + n - 34), **orders)
    for n in range(36, 38):
        _record("orders", n, ExecutionStatus.COMPLETED, age=timedelta(days=3, minutes=n), **orders)
    billing = {"definition_id": ids["billing"], "version": 2, "trigger": RunTrigger.SCHEDULE}
    for n in range(5):
        _record(
            "billing", n, ExecutionStatus.COMPLETED, age=timedelta(hours=2, minutes=n), **billing
        )
    return ids


def _open(at: AppTest, **params: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page("pages/runs.py").run()
    assert not at.exception
    return at


def _table(at: AppTest):
    return at.dataframe[0].value


def _texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def _button(at: AppTest, label: str):
    found = [button for button in at.button if button.label == label]
    assert found, f"no button {label!r} in {[button.label for button in at.button]}"
    return found[0]


def test_no_runs_yet_says_where_to_start_one(app: AppTest):
    _open(app)
    assert "No runs yet: start one from the builder's Run tab." in _texts(app.info)


def test_lists_every_run_newest_first_with_counts(app: AppTest, seeded):
    _open(app)
    table = _table(app)
    assert len(table) == 25
    assert list(table["Workflow"][:2]) == ["orders", "orders"]
    assert list(table["Status"][:2]) == ["running", "running"]
    assert table["Run"][0] == "./run?workflow_id=orders-034&run_id=run-orders-034"
    assert table["Duration"][0].endswith("so far")
    counts = _texts(app.markdown)
    assert "**43 run(s)**" in counts
    assert ":green-badge[completed 37]" in counts
    assert ":red-badge[failed 4]" in counts
    assert ":blue-badge[running 2]" in counts


def test_filters_narrow_the_list_and_land_in_the_url(app: AppTest, seeded):
    _open(app)
    app.multiselect(key="runs_statuses").set_value([ExecutionStatus.FAILED]).run()
    table = _table(app)
    assert set(table["Status"]) == {"failed"}
    assert len(table) == 4
    assert set(table["Failed step"]) == {"Charge card (charge)"}
    assert set(table["Error"]) == {"Declined: card declined"}
    assert app.query_params["status"] == "failed"

    app.multiselect(key="runs_statuses").set_value([]).run()
    app.selectbox(key="runs_workflow").set_value(seeded["billing"]).run()
    table = _table(app)
    assert set(table["Workflow"]) == {"billing"}
    assert set(table["Trigger"]) == {"schedule"}
    assert app.query_params == {"workflow": "billing"}

    app.selectbox(key="runs_workflow").set_value(None).run()
    app.multiselect(key="runs_triggers").set_value([RunTrigger.SCHEDULE]).run()
    assert len(_table(app)) == 5
    app.multiselect(key="runs_triggers").set_value([]).run()

    app.number_input(key="runs_version").set_value(2).run()
    assert len(_table(app)) == 5
    app.number_input(key="runs_version").set_value(None).run()

    app.text_input(key="runs_search").input("orders-03").run()
    assert sorted(_table(app)["Run"].str.extract(r"workflow_id=([^&]*)")[0]) == [
        f"orders-03{n}" for n in range(8)
    ]
    app.text_input(key="runs_search").input("run-billing-004").run()
    assert list(_table(app)["Workflow"]) == ["billing"]
    app.text_input(key="runs_search").input("nothing-like-it").run()
    assert "No runs match these filters." in _texts(app.info)


def test_time_ranges_count_back_from_now(app: AppTest, seeded):
    _open(app)
    app.selectbox(key="runs_range").set_value(TimeRange.HOUR).run()
    # Runs started within the hour: the 2 running ones and orders 0..34 started 10-44 min ago.
    assert "**36 run(s)**" in _texts(app.markdown)
    app.selectbox(key="runs_range").set_value(TimeRange.WEEK).run()
    assert "**43 run(s)**" in _texts(app.markdown)
    app.selectbox(key="runs_range").set_value(TimeRange.DAY).run()
    assert "**41 run(s)**" in _texts(app.markdown)
    assert app.query_params["range"] == "24h"


def test_a_custom_range_of_days(app: AppTest, seeded):
    # The days the two old runs started on (just after midnight UTC, the day before 3 days ago).
    days = sorted({(NOW - timedelta(days=3, minutes=n)).date() for n in (36, 37)})
    _open(app, range="custom", **{"from": days[0].isoformat(), "to": days[-1].isoformat()})
    table = _table(app)
    assert len(table) == 2
    assert set(table["Workflow"]) == {"orders"}


def test_pages_of_runs(app: AppTest, seeded):
    _open(app)
    assert "Page 1 of 2 (43 runs)" in _texts(app.markdown)
    first = list(_table(app)["Run"])
    _button(app, "Next").click().run()
    assert "Page 2 of 2 (43 runs)" in _texts(app.markdown)
    second = list(_table(app)["Run"])
    assert len(second) == 18
    assert not set(first) & set(second)
    assert _button(app, "Next").disabled
    _button(app, "Previous").click().run()
    assert list(_table(app)["Run"]) == first

    app.selectbox(key="runs_size").set_value(50).run()
    assert "Page 1 of 1 (43 runs)" in _texts(app.markdown)
    assert len(_table(app)) == 43
    assert app.query_params["size"] == "50"


def test_server_side_sort(app: AppTest, seeded):
    _open(app)
    app.selectbox(key="runs_sort").set_value(ExecutionSort.WORKFLOW_ID).run()
    app.selectbox(key="runs_order").set_value(False).run()
    runs = list(_table(app)["Run"].str.extract(r"workflow_id=([^&]*)")[0])
    assert runs[:6] == [
        "billing-000",
        "billing-001",
        "billing-002",
        "billing-003",
        "billing-004",
        "orders-000",
    ]
    assert app.query_params["sort"] == "workflow_id"
    assert app.query_params["order"] == "asc"


def test_a_shared_link_opens_with_its_filters(app: AppTest, seeded):
    _open(app, workflow="orders", status="failed")
    assert app.selectbox(key="runs_workflow").value == seeded["orders"]
    assert app.multiselect(key="runs_statuses").value == [ExecutionStatus.FAILED]
    table = _table(app)
    assert len(table) == 4
    assert set(table["Status"]) == {"failed"}

    _open(app, run="run-orders-007")
    assert app.text_input(key="runs_search").value == "run-orders-007"
    assert list(_table(app)["Run"]) == ["./run?workflow_id=orders-007&run_id=run-orders-007"]
    # The URL settles on the page's own spelling of the search.
    assert app.query_params == {"q": "run-orders-007"}


def test_a_link_to_a_workflow_that_is_gone_shows_every_workflow(app: AppTest, seeded):
    _open(app, workflow="no_such_flow", status="nonsense,running")
    assert "does not exist" in _texts(app.warning)
    assert app.selectbox(key="runs_workflow").value is None
    assert app.multiselect(key="runs_statuses").value == [ExecutionStatus.RUNNING]
    assert app.query_params == {"status": "running"}


def test_a_filter_of_closed_runs_offers_nothing_to_cancel(app: AppTest, seeded):
    services = _services()
    assert services.console.open_keys(ExecutionFilter(statuses=(ExecutionStatus.FAILED,))) == []
    _open(app, status="failed")
    assert _button(app, "Cancel all 0 open").disabled
    assert _button(app, "Terminate all 0 open").disabled
    _open(app)
    assert not _button(app, "Cancel all 2 open").disabled


def _start_unserved_run(settings: Settings) -> tuple[str, str]:
    """A real run on a queue no worker polls: open until someone ends it."""

    async def start() -> tuple[str, str]:
        client = await connect(settings)
        handle = await client.start_workflow(
            "unserved_v1",
            id=f"orders-live-{uuid.uuid4().hex[:8]}",
            task_queue=f"none-{uuid.uuid4()}",
        )
        return handle.id, handle.result_run_id or ""

    return asyncio.run(start())


def _status_in_temporal(settings: Settings, workflow_id: str, run_id: str) -> str:
    async def describe() -> str:
        client = await connect(settings)
        found = await client.get_workflow_handle(workflow_id, run_id=run_id).describe()
        return found.status.name if found.status else ""

    return asyncio.run(describe())


def test_bulk_terminate_of_selected_runs_asks_first_and_reports(
    app: AppTest, seeded, temporal_settings: Settings
):
    workflow_id, run_id = _start_unserved_run(temporal_settings)
    _services().database.executions.upsert(
        workflow_id=workflow_id,
        run_id=run_id,
        workflow_type="unserved_v1",
        task_queue="none",
        status=ExecutionStatus.RUNNING,
        start_time=NOW,
        definition_id=seeded["orders"],
        trigger=RunTrigger.EXTERNAL,
    )
    _open(app)
    table = _table(app)
    assert table["Run"][0].startswith(f"./run?workflow_id={workflow_id}&")
    # Select the real run, a run the database alone has as running, and a completed one.
    app.session_state[app.dataframe[0].key] = {"selection": {"rows": [0, 1, 5], "columns": []}}
    app.run()
    assert "1 selected run(s) have closed: left alone." in _texts(app.caption)

    _button(app, "Terminate 2 selected").click().run()
    assert "Terminate 2 open run(s) selected?" in _texts(app.warning)
    confirm = _button(app, "Yes, terminate 2 run(s)")
    assert confirm.disabled  # no reason yet
    app.text_input(key="bulk_reason").input("clean-up after the test").run()
    _button(app, "Yes, terminate 2 run(s)").click().run()
    assert not app.exception

    assert "1 run(s) terminated. Temporal refused 1:" in _texts(app.warning)
    refused = app.dataframe[0].value
    assert list(refused["Run"]) == ["orders-034"]
    assert _status_in_temporal(temporal_settings, workflow_id, run_id) == "TERMINATED"
    # The table starts afresh, nothing selected, and no confirmation waits.
    assert not any(button.label.startswith("Yes,") for button in app.button)
    assert not any(button.label.endswith("selected") for button in app.button)


def test_bulk_cancel_of_every_matching_run_can_be_called_off(app: AppTest, seeded):
    _open(app, workflow="orders")
    _button(app, "Cancel all 2 open").click().run()
    assert "Cancel 2 open run(s) matching the filters?" in _texts(app.warning)
    _button(app, "Back").click().run()
    assert not any(button.label.startswith("Yes,") for button in app.button)
    assert _services().console.counts()[ExecutionStatus.RUNNING] == 2


def test_the_builders_recent_runs_open_the_run_page_and_name_the_failed_step(app: AppTest):
    services = _services()
    workflow_id = services.workflows.create_from_example("hello_activity", name="greeter").id
    app.session_state["builder_workflow_id"] = workflow_id
    app.switch_page("pages/builder.py").run()
    next(button for button in app.button if button.label == "Deploy").click().run()
    services.database.executions.upsert(
        workflow_id="greeter-failed",
        run_id="r-failed",
        workflow_type="greeter_v1",
        task_queue="q",
        status=ExecutionStatus.FAILED,
        start_time=NOW - timedelta(seconds=5),
        close_time=NOW,
        definition_id=workflow_id,
        version=1,
        failed_node_id="greet",
        failed_node_label="Greet",
        error="boom",
    )
    services.settings = replace(services.settings, temporal_ui_url="https://temporal.example/ui/")
    app.segmented_control(key="builder_view").set_value("Run").run()
    assert not app.exception
    table = next(frame for frame in app.dataframe if "Temporal" in frame.value)
    recent = table.value
    namespace = services.settings.temporal_namespace
    assert list(recent["Temporal"]) == [
        f"https://temporal.example/ui/namespaces/{namespace}/workflows/greeter-failed/r-failed/history"
    ]
    assert list(recent["Failed step"]) == ["Greet (greet)"]
    assert list(recent["Duration"]) == ["5.0 s"]
    # A click on the run's row opens its run page.
    app.session_state[table.key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()
    assert not app.exception
    assert dict(app.query_params) == {"workflow_id": "greeter-failed", "run_id": "r-failed"}
