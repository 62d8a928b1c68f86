"""The Workers page against the session's Temporal dev server: the registry, Temporal's pollers,
lost workers, and start/stop/scale controls."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from core.db import WorkerStatus
from core.db.types import utc_now
from core.text import markdown_unliteral


def _services():
    from pages.widgets.services import get_services

    return get_services()


def _metric(at: AppTest, label: str) -> str:
    return next(metric.value for metric in at.metric if metric.label == label)


def _workers_table(at: AppTest, queue: str):
    """The worker table of ``queue`` (the page draws one bordered panel per queue)."""
    names = [markdown_unliteral(md.value) for md in at.markdown if md.value.startswith("**")]
    index = next(i for i, name in enumerate(names) if name.startswith(f"**{queue}**"))
    return at.dataframe[index].value


def _button(at: AppTest, key: str):
    return next(button for button in at.button if button.key == key)


def _open_workers(at: AppTest) -> AppTest:
    at.switch_page("pages/workers.py").run()
    assert not at.exception
    return at


def _until(at: AppTest, check, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
        at.run()


def test_the_page_shows_each_queue_with_its_workers_and_temporals_pollers(app: AppTest):
    services = _services()
    workflow = services.workflows.create_from_example("hello_activity", name="greeter")
    queue = services.deploy.deploy(workflow.id).deployment.task_queue
    _open_workers(app)
    assert _metric(app, "Running workers") == "1"
    table = _workers_table(app, queue)
    assert list(table["Status"]) == ["running"]
    worker_id = table["Worker"][0]
    assert table["Heartbeat"][0].endswith("s ago")

    # Temporal's own view: the worker polls under its registry id.
    def polled() -> bool:
        return any(worker_id in markdown_unliteral(c.value) for c in app.caption)

    _until(app, polled, "its poller to show")
    assert any(
        f"**{queue}** · a queue per workflow" in markdown_unliteral(md.value) for md in app.markdown
    )


def test_a_queue_only_steps_use_is_marked_activity_only_with_the_workflows_it_serves(
    app: AppTest, task_queue: str
):
    services = _services()
    workflow = services.workflows.create_from_example("hello_activity", name="greeter")
    document = services.workflows.get(workflow.id).draft_graph
    steps = f"{task_queue}-steps"
    next(n for n in document["nodes"] if n["id"] == "greet")["params"]["task_queue"] = steps
    services.workflows.save_draft(workflow.id, document)
    deployed = services.deploy.deploy(workflow.id)
    _open_workers(app)

    assert list(_workers_table(app, steps)["Status"]) == ["running"]
    texts = [markdown_unliteral(md.value) for md in app.markdown]
    # No placement strategy: no workflow is placed on it.
    assert f"**{steps}** :blue-badge[served here] :violet-badge[activity-only]" in texts
    own = deployed.deployment.task_queue
    assert not any(t.startswith(f"**{own}**") and "activity-only" in t for t in texts)
    captions = [markdown_unliteral(c.value) for c in app.caption]
    assert (
        f"Runs only steps of workflows that run on their own queues: {deployed.workflow_type}: "
        "echo." in captions
    )


def test_a_worker_that_stopped_heartbeating_is_shown_lost(app: AppTest):
    database = _services().database
    database.workers.register(worker_id="far-away-1", task_queue="remote-queue", host="far")
    database.workers.set_status("far-away-1", WorkerStatus.RUNNING)
    stale = utc_now() - timedelta(hours=1)
    database.workers.heartbeat("far-away-1", at=stale)
    _open_workers(app)
    table = _workers_table(app, "remote-queue")
    assert list(table["Status"]) == ["lost"]
    assert table["Error"][0].startswith("lost")
    assert _metric(app, "Lost or failed") == "1"
    assert not app.get("plotly_chart")  # one queue: the panel says it all

    # With a second queue the page charts workers by queue and status.
    database.workers.register(worker_id="far-away-3", task_queue="other-queue", host="far")
    app.run()
    (chart,) = app.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert {trace["name"] for trace in figure["data"]} == {"lost", "starting"}
    assert figure["layout"]["xaxis"]["dtick"] == 1  # one worker a bar: no 0.2 ticks


def test_scale_stop_and_start_a_queue_from_the_page(app: AppTest):
    services = _services()
    workflow = services.workflows.create_from_example("hello_activity", name="greeter")
    queue = services.deploy.deploy(workflow.id).deployment.task_queue
    _open_workers(app)

    app.number_input(key=f"size_{queue}").set_value(2)
    _button(app, f"scale_{queue}").click().run()
    assert not app.exception
    assert list(_workers_table(app, queue)["Status"]) == ["running", "running"]
    assert "a pool of workers, 2 per process" in " ".join(md.value for md in app.markdown)

    _button(app, f"stop_{queue}").click().run()
    assert not app.exception
    assert _workers_table(app, queue).empty
    assert any(c.value.startswith("No live worker; 2 stopped") for c in app.caption)
    # Temporal still lists the stopped workers' pollers for minutes: said, but no alarm.
    assert not [w for w in app.warning if "Polling but not a live worker" in w.value]
    assert _metric(app, "Unregistered pollers") == "0"
    captions = [markdown_unliteral(c.value) for c in app.caption]
    assert any(c.startswith("Stopped workers Temporal still lists: ") for c in captions)
    app.toggle(key="workers_show_stopped").set_value(True).run()
    assert set(_workers_table(app, queue)["Status"]) == {"stopped"}

    _button(app, f"start_{queue}").click().run()
    assert not app.exception
    assert list(_workers_table(app, queue)["Status"]).count("running") == 2


def test_a_refused_control_shows_why(app: AppTest):
    database = _services().database
    database.workers.register(worker_id="far-away-2", task_queue="nothing-here", host="far")
    _open_workers(app)
    _button(app, "start_nothing-here").click().run()
    assert not app.exception
    (error,) = app.error
    assert "nothing-here" in markdown_unliteral(error.value) and "deployment" in error.value
