"""The Home page's dashboard (AppTest) over execution records written straight into the
database: tiles, every run chart drawn with its data, failing steps linked to their runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from core.db import ExecutionStatus, RunDetails, StepFigures
from core.runs.listing import RunQuery, TimeRange

NOW = datetime.now(UTC)


def _services():
    from pages.widgets.services import get_services

    return get_services()


def _seed() -> None:
    """orders: 8 completed and 2 failed at "Charge card" in the last hour; one retried twice."""
    services = _services()
    orders = services.workflows.create(name="orders").id
    for n in range(10):
        failed = n >= 8
        services.database.executions.upsert(
            workflow_id=f"orders-{n}",
            run_id=f"run-{n}",
            workflow_type="orders_v1",
            task_queue="q",
            status=ExecutionStatus.FAILED if failed else ExecutionStatus.COMPLETED,
            start_time=NOW - timedelta(minutes=5 * n + 1),
            close_time=NOW - timedelta(minutes=5 * n + 1) + timedelta(seconds=2),
            definition_id=orders,
            failed_node_id="charge" if failed else None,
            failed_node_label="Charge card" if failed else None,
            error="Activity task failed: card declined" if failed else None,
        )
    step = StepFigures("charge", visits=1, calls=1, attempts=3, failed=False, seconds=1.0)
    services.database.executions.record_details("orders-0", "run-0", RunDetails(steps=(step,)))


def _charts(app: AppTest) -> dict[str, dict]:
    figures = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    return {figure["layout"]["title"]["text"]: figure for figure in figures}


def test_dashboard_with_runs(app: AppTest) -> None:
    _seed()
    app.selectbox(key="dashboard_range").set_value(app.selectbox(key="dashboard_range").options[0])
    app.run()
    assert not app.exception

    tiles = {metric.label: (metric.value, metric.delta) for metric in app.metric}
    assert tiles["Runs"] == ("10", "+10")
    assert tiles["Failed"] == ("2", "+2")
    assert tiles["Failure rate"][0] == "20.0 %"
    assert tiles["p50 duration"][0] == "2.0 s"
    assert "Load demo data" not in [button.label for button in app.button]

    charts = _charts(app)
    assert set(charts) == {
        "Runs started, by status",
        "Run duration per workflow (p50 solid, p95 dashed)",
        "Failure rate per workflow",
        "Top failing steps",
        "Activity retries per step",
    }
    stacked = charts["Runs started, by status"]
    assert {trace["name"] for trace in stacked["data"]} == {"completed", "failed"}
    assert stacked["layout"]["xaxis"]["title"]["text"] == "Start time (UTC), per minute"
    assert stacked["layout"]["font"]["size"] == 16

    steps = app.dataframe[0].value
    assert list(steps["Step"]) == ["orders · Charge card (charge)"]
    assert list(steps["Failed runs"]) == [2]
    query = RunQuery.from_params(parse_qs(urlsplit(steps["Failed runs on the Runs page"][0]).query))
    assert (query.workflow, query.time_range) == ("orders", TimeRange.HOUR)
    assert ExecutionStatus.FAILED in query.statuses

    # One workflow's view, of another workflow: its tiles are empty.
    other = _services().workflows.create(name="billing").id
    app.run()
    app.selectbox(key="dashboard_workflow").set_value(other).run()
    assert not app.exception
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["Runs"] == "0"
    assert not app.get("plotly_chart")
