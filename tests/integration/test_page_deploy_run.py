"""The builder's deploy, versions and run views against the session's Temporal dev server."""

from __future__ import annotations

import copy
import re
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from core.db import DeploymentStatus
from core.fleet import WorkerStartError
from core.schedules import schedule_id
from core.text import markdown_unliteral
from tests.integration.runs.helpers import looping_graph

RUN_TIMEOUT_S = 30.0


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float | None]]:
    """Each fragment the Run view draws, with how often it refreshes itself (recorded, then
    drawn as usual)."""
    from pages.widgets import run_panel

    drawn: list[tuple[str, float | None]] = []
    real = run_panel.fragment

    def recording(*, run_every: float | None = None):
        def decorate(draw):
            drawn.append((draw.__name__, run_every))
            return real(run_every=run_every)(draw)

        return decorate

    monkeypatch.setattr(run_panel, "fragment", recording)
    return drawn


def _services():
    from pages.widgets.services import get_services

    return get_services()


def _open(at: AppTest, example: str, *, name: str) -> int:
    workflow = _services().workflows.create_from_example(example, name=name)
    at.session_state["builder_workflow_id"] = workflow.id
    at.switch_page("pages/builder.py").run()
    assert not at.exception
    return workflow.id


def _button(at: AppTest, label: str):
    return next(button for button in at.button if button.label == label)


def _deploy(at: AppTest) -> AppTest:
    _button(at, "Deploy").click().run()
    assert not at.exception
    return at


def _view(at: AppTest, view: str) -> AppTest:
    at.segmented_control(key="builder_view").set_value(view).run()
    assert not at.exception
    return at


def _texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def _page_links(at: AppTest) -> dict[str, str]:
    """The page links shown (``st.page_link``): label to query string."""
    return {link.proto.label: link.proto.query_string for link in at.get("page_link")}


def _run_query(workflow_id: str, run_id: str) -> str:
    return urlencode({"workflow_id": workflow_id, "run_id": run_id})


def _edit_draft(workflow_id: int, edit) -> None:
    services = _services()
    document = copy.deepcopy(services.workflows.get(workflow_id).draft_graph)
    edit(document)
    services.workflows.save_draft(workflow_id, document)


def _shout(document: dict[str, Any]) -> None:
    greet = next(node for node in document["nodes"] if node["id"] == "greet")
    greet["params"]["args"]["value"] = {"expr": "('Hello, ' + input.name + '!').upper()"}


def _refresh_until_closed(at: AppTest) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while any(button.label == "Refresh" for button in at.button):
        assert time.monotonic() < deadline, "the run did not close in time"
        time.sleep(0.2)
        _button(at, "Refresh").click().run()
        assert not at.exception


def test_deploy_shows_each_step_and_what_is_live(app: AppTest, task_queue: str):
    _open(app, "hello_activity", name="greeter")
    _deploy(app)
    (status,) = app.status
    assert status.state == "complete"
    shown = markdown_unliteral(status.label)
    assert re.fullmatch(rf"version 1 is live as greeter\S* on {task_queue}\S*", shown)
    steps = [md.value for md in status.markdown]
    names = [re.search(r"\*\*(\w+)\*\*", line).group(1) for line in steps]
    assert names == ["validate", "compile", "write", "import", "load", "ready"]
    assert all(re.search(r"\((\d+ ms|\d+\.\d\d s)\)", line) for line in steps)
    # The header's status line says what is live once the deploy has ended.
    header = markdown_unliteral(app.caption[0].value)
    assert "live: version 1 · draft deployed" in header and "deploying" not in header

    # The outcome stays on the page; deploying the same draft again changes nothing.
    _view(app, "Code")
    assert app.status[0].label == status.label
    _deploy(app)
    assert markdown_unliteral(app.status[0].label) == "nothing changed (version 1 is live)"


def test_a_failing_step_is_named_and_the_previous_version_keeps_serving(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
):
    workflow_id = _open(app, "hello_activity", name="greeter")
    _deploy(app)
    _edit_draft(workflow_id, _shout)
    manager = _services().temporal.manager
    real_apply = manager.apply_queue
    calls: list[str] = []

    def refuse_once(task_queue: str):
        calls.append(task_queue)
        if len(calls) == 1:
            raise WorkerStartError("Temporal said no", task_queue=task_queue, worker_id="w-1")
        return real_apply(task_queue)  # the pipeline restoring the previous set

    monkeypatch.setattr(manager, "apply_queue", refuse_once)
    _deploy(app)
    (status,) = app.status
    assert status.state == "error"
    title = markdown_unliteral(status.label)
    assert title.startswith("Deploy failed at step load: version 1 (greeter")
    assert title.endswith("keeps serving")
    error = markdown_unliteral(status.error[0].value)
    assert re.search(r"^load: the workers could not load version 2: .*Temporal said no", error)
    failed_line = next(md.value for md in status.markdown if "**load**" in md.value)
    assert ":material/error:" in failed_line
    runs = _services().runs
    ref = runs.start(workflow_id, {"name": "Bo"})
    assert ref.workflow_type == "greeter_v1"
    assert runs.wait(ref, timeout=RUN_TIMEOUT_S).result == "Hello, Bo!"


def test_run_form_starts_a_run_and_shows_its_result(app: AppTest):
    workflow_id = _open(app, "hello_activity", name="greeter")
    _view(app, "Run")
    assert "Nothing is deployed yet" in _texts(app.info)
    _deploy(app)
    name = app.text_input(key=f"run_input_{workflow_id}_v1.name")
    assert markdown_unliteral(name.label) == "name *" and name.value == ""
    name.input("Ann")
    app.button(key="FormSubmitter:run_form_1_v1-Start run").click().run()
    assert not app.exception
    _refresh_until_closed(app)
    assert ":green-badge[completed]" in _texts(app.markdown)
    assert any(code.value == '"Hello, Ann!"' for code in app.code)
    ui_url = _services().temporal.endpoint.ui_url
    run = _services().runs.recent(workflow_id)[0]
    link = f"{ui_url}/namespaces/default/workflows/{run.workflow_id}/{run.run_id}/history"
    assert ui_url is None or link in _texts(app.markdown)
    (recent,) = app.dataframe
    assert list(recent.value["Status"]) == ["completed"]
    assert _page_links(app)["Open the run page"] == _run_query(run.workflow_id, run.run_id)

    # A click on a recent run (here its Status cell) opens its run page.
    app.session_state[recent.key] = {
        "selection": {"rows": [], "columns": [], "cells": [[0, "Status"]]}
    }
    app.run()
    assert not app.exception
    assert app.title[0].value == "Run"
    assert dict(app.query_params) == {"workflow_id": run.workflow_id, "run_id": run.run_id}


def test_a_failed_run_names_its_step_and_links_its_page(app: AppTest):
    workflow_id = _open(app, "retry_error_branch", name="no_fallback")

    def without_error_edge(document: dict[str, Any]) -> None:
        document["nodes"] = [n for n in document["nodes"] if n["id"] != "fallback"]
        document["edges"] = [
            e for e in document["edges"] if "fallback" not in (e["source"], e["target"])
        ]

    _edit_draft(workflow_id, without_error_edge)
    at = app.run()
    _view(at, "Run")
    _deploy(at)
    at.button(key=f"FormSubmitter:run_form_{workflow_id}_v1-Start run").click().run()
    _refresh_until_closed(at)

    error = markdown_unliteral(at.error[0].value)
    assert len(at.error) == 1
    assert error.startswith("The run failed at step Flaky call (call): ")
    assert "the service is down" in error
    run = _services().runs.recent(workflow_id)[0]
    assert _page_links(at)["Open the run page"] == _run_query(run.workflow_id, run.run_id)


def test_a_required_input_left_empty_and_bad_json_are_shown(app: AppTest):
    workflow_id = _open(app, "foreach_loop", name="looper")
    _deploy(app)
    _view(app, "Run")
    items = app.text_area(key=f"run_input_{workflow_id}_v1.items")
    assert items.value == '[\n  "a",\n  "b",\n  "c"\n]'
    items.input('["a", "b",]')
    app.button(key=f"FormSubmitter:run_form_{workflow_id}_v1-Start run").click().run()
    assert not app.exception
    error = markdown_unliteral(app.error[0].value)
    assert re.search(r"^Input items: is not valid JSON: .* line 1, column", error)
    assert _services().runs.recent(workflow_id) == []

    app.text_area(key=f"run_input_{workflow_id}_v1.items").input('{"a": 1}')
    app.button(key=f"FormSubmitter:run_form_{workflow_id}_v1-Start run").click().run()
    error = markdown_unliteral(app.error[0].value)
    assert error == "Input items: must be a JSON array (got object)"

    app.text_area(key=f"run_input_{workflow_id}_v1.items").input("[" * 10_000 + "]" * 10_000)
    app.button(key=f"FormSubmitter:run_form_{workflow_id}_v1-Start run").click().run()
    assert not app.exception
    error = markdown_unliteral(app.error[0].value)
    assert error.startswith("The run could not start: items[0][0][0][0].<")
    assert error.endswith("nested more than 64 objects or arrays deep")
    assert _services().runs.recent(workflow_id) == []


def test_signal_and_query_a_waiting_approval(app: AppTest, refreshes):
    workflow_id = _open(app, "approval_signal", name="approvals")
    _deploy(app)
    _view(app, "Run")
    # Nothing runs: only the recent runs look for new ones (a schedule's, another client's).
    assert refreshes[-1:] == [("_recent_runs", 10.0)]
    app.text_input(key=f"run_input_{workflow_id}_v1.request").input("new laptop")
    timeout = app.number_input(key=f"run_input_{workflow_id}_v1.timeout_seconds")
    assert timeout.value == 3600.0
    app.button(key=f"FormSubmitter:run_form_{workflow_id}_v1-Start run").click().run()
    assert not app.exception
    assert ":blue-badge[running]" in _texts(app.markdown)
    # While it runs, its status and the recent runs redraw themselves every 2 s.
    assert refreshes[-2:] == [("_live_state", 2.0), ("_recent_runs", 2.0)]

    _button(app, "Ask status").click().run()
    assert any(code.value == '"waiting"' for code in app.code)

    # A required payload field left empty is refused before anything is sent.
    run_id = app.session_state[f"run_started_{workflow_id}"].ref.run_id
    send = f"FormSubmitter:signal_approve_{run_id}-Send approve"
    app.button(key=send).click().run()
    assert markdown_unliteral(app.error[0].value) == "Signal approve, field by: is required"

    app.checkbox(key="signal_approve.approved").check()
    app.text_input(key="signal_approve.by").input("ann")
    app.button(key=send).click().run()
    assert not app.exception
    _refresh_until_closed(app)
    assert ":green-badge[completed]" in _texts(app.markdown)
    assert any('"status": "approved by ann"' in code.value for code in app.code)
    # Once it closed the page stops polling it; the list looks for new runs now and then.
    refreshes.clear()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while refreshes != [("_recent_runs", 10.0)]:  # until the run monitor recorded the close
        assert time.monotonic() < deadline, f"still refreshing: {refreshes}"
        refreshes.clear()
        app.run()


def test_versions_diff_and_rollback(app: AppTest):
    workflow_id = _open(app, "hello_activity", name="greeter")
    _view(app, "Versions")
    assert "No version yet" in _texts(app.info)
    _deploy(app)
    _edit_draft(workflow_id, _shout)
    _deploy(app)
    assert markdown_unliteral(app.status[0].label).startswith("version 2 is live")

    table = app.dataframe[0].value
    assert list(table["Version"]) == [2, 1]
    assert table["Status"][0] == DeploymentStatus.ACTIVE
    # v1 drains until no run is open; with none, listing the deployments retires it.
    assert table["Status"][1] in (DeploymentStatus.DRAINING, DeploymentStatus.RETIRED)
    changes = _texts(app.markdown)
    assert ":orange[changed] `greet`" in changes
    assert "`params.args.value.expr`" in changes and ".upper()" in changes
    diffs = [code for code in app.code if code.language == "diff"]
    assert diffs and "+" in diffs[0].value and "upper()" in diffs[0].value

    _button(app, "Roll back to version 1").click().run()
    assert "Roll back to version 1?" in app.warning[0].value
    _button(app, "Confirm rollback to version 1").click().run()
    assert not app.exception
    assert markdown_unliteral(app.status[0].label).startswith("version 3 is live")
    versions = _services().deploy.versions(workflow_id)
    assert versions[0].graph["nodes"] == versions[2].graph["nodes"]
    assert list(app.dataframe[0].value["Version"]) == [3, 2, 1]
    app.selectbox(key=f"export_version_{workflow_id}").set_value(3).run()
    assert [button.label for button in app.download_button] == ["Download version 3 (.zip)"]


def test_the_run_view_shows_the_schedule_and_pauses_resumes_and_fires_it(app: AppTest):
    name = f"report_{uuid.uuid4().hex[:8]}"  # schedules live on the shared dev server
    workflow_id = _open(app, "scheduled_report", name=name)
    try:
        _deploy(app)
        _view(app, "Run")
        assert (
            f"**Schedule** `0 7 * * *` (UTC) :green-badge[active] · starts `{name}_v1` · "
            "0 runs so far" in _texts(app.markdown)
        )
        assert re.search(r"Next runs: \w{3} \d\d \w{3} 07:00 UTC", _texts(app.caption))

        _button(app, "Pause").click().run()
        assert not app.exception
        assert ":orange-badge[paused]" in _texts(app.markdown)
        assert "Paused: no scheduled run starts until it is resumed." in _texts(app.caption)
        _button(app, "Resume").click().run()
        assert ":green-badge[active]" in _texts(app.markdown)

        _button(app, "Run now").click().run()
        assert not app.exception
        # It says which run it started, links its page, and the result column follows it.
        fired = app.session_state[f"run_started_{workflow_id}"].ref
        assert fired.workflow_id.startswith(f"{name}-scheduled")
        assert f"Run now started `{fired.workflow_id}`." in _texts(app.success)
        links = _page_links(app)
        assert links["Open its run page"] == _run_query(fired.workflow_id, fired.run_id)
        assert f"**Run** `{fired.workflow_id}`" in _texts(app.markdown)
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not app.dataframe or "completed" not in list(app.dataframe[0].value["Status"]):
            assert time.monotonic() < deadline, "the scheduled run did not show up completed"
            time.sleep(0.3)
            app.run()
        runs = app.dataframe[0].value
        assert list(runs["Version"]) == [1]
        assert runs["Run"][0].startswith(f"{name}-scheduled")
    finally:
        schedules = _services().schedules
        if schedules.status(name) is not None:
            gateway = _services().temporal.gateway
            gateway.call(gateway.client.get_schedule_handle(schedule_id(name)).delete())


def test_the_run_view_follows_a_run_that_continues_as_new_to_its_result(app: AppTest):
    services = _services()
    workflow = services.workflows.create(name="loop_follow")
    services.workflows.save_draft(workflow.id, looping_graph("loop_follow"))
    app.session_state["builder_workflow_id"] = workflow.id
    at = _view(app.switch_page("pages/builder.py").run(), "Run")
    _deploy(at)
    at.button(key=f"FormSubmitter:run_form_{workflow.id}_v1-Start run").click().run()
    _refresh_until_closed(at)
    # The first run continued as new; the view shows the chain's last run and its result.
    assert ":green-badge[completed]" in _texts(at.markdown)
    assert any(code.value == "6" for code in at.code)
    runs = services.runs.recent(workflow.id)
    last = next(run for run in runs if run.status.value == "completed")
    assert len(runs) >= 2
    assert _page_links(at)["Open the run page"] == _run_query(last.workflow_id, last.run_id)
