"""The Workflows page: create (blank, from an example, by import), rename, duplicate, delete."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.db import ExecutionStatus
from core.examples import get_example
from core.text import markdown_unliteral

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(tmp_path, monkeypatch) -> Iterator[AppTest]:
    monkeypatch.setenv("WB_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/workflows.py").run()
    assert not at.exception
    yield at
    # The services object is cached per process; the next test brings its own data folder.
    from pages.widgets.services import get_services

    get_services.clear()


def _services():
    from pages.widgets.services import get_services

    return get_services()


def _names(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["Name"]) if at.dataframe else []


def _button(at: AppTest, label: str):
    return next(button for button in at.button if button.label == label)


def test_empty_list_says_how_to_start(app: AppTest):
    assert "No workflows yet" in app.info[0].value


def test_create_from_example_opens_the_builder_with_its_draft(app: AppTest):
    app.selectbox[0].select("hello_activity")
    app.text_input(key="example_new_name").input("greeter")
    _button(app, "Create from example").click().run()
    assert not app.exception
    record = _services().workflows.list()[0]
    assert record.name == "greeter"
    draft = _services().workflows.get(record.id).draft_graph
    assert draft["nodes"] == get_example("hello_activity").document["nodes"]
    # The builder page shows the new workflow.
    assert app.session_state["builder_workflow_id"] == record.id
    assert any("greeter" in md.value for md in app.markdown)


def test_create_blank_and_list_its_status(app: AppTest):
    app.text_input[0].input("blank_one")
    _button(app, "Create").click().run()
    app.switch_page("pages/workflows.py").run()
    table = app.dataframe[0].value
    assert list(table["Name"]) == ["blank_one"]
    assert table["Draft"][0] == "valid"
    assert table["Deployment"][0] == "not deployed"
    assert table["Schedule"][0] == ""


def test_the_list_shows_a_recorded_schedule(app: AppTest):
    services = _services()
    report = services.workflows.create_from_example("scheduled_report", name="daily")
    services.database.schedules.create(
        schedule_id="daily-schedule", workflow_id=report.id, cron="0 7 * * *"
    )
    app.run()
    assert app.dataframe[0].value["Schedule"][0] == "0 7 * * * (UTC)"


def test_the_list_shows_each_workflows_last_run_and_links_to_its_runs(app: AppTest):
    services = _services()
    ran = services.workflows.create(name="ran")
    services.workflows.create(name="never_ran")
    for n, status in enumerate((ExecutionStatus.COMPLETED, ExecutionStatus.FAILED)):
        services.database.executions.upsert(
            workflow_id=f"ran-{n}",
            run_id=f"r{n}",
            workflow_type="ran_v1",
            task_queue="q",
            status=status,
            start_time=datetime(2026, 3, 10, 12, n, tzinfo=UTC),
            definition_id=ran.id,
        )
    app.run()
    table = app.dataframe[0].value.set_index("Name")
    assert re.fullmatch(r"failed, \d+ d ago", table.loc["ran", "Last run"])
    assert table.loc["ran", "Runs"] == "./runs?workflow=ran"
    assert table.loc["never_ran", "Last run"] == ""
    assert pd.isna(table.loc["never_ran", "Runs"])
    # Read from the database alone: the page never started Temporal for it.
    assert not services.temporal_started


def test_create_rejects_a_bad_name_with_the_reason(app: AppTest):
    app.text_input[0].input("Bad Name")
    _button(app, "Create").click().run()
    assert app.error and "name" in app.error[0].value
    assert _services().workflows.list() == []


def test_import_a_good_file(app: AppTest):
    text = json.dumps(get_example("parallel_fanout").document).encode()
    app.file_uploader[0].upload("flow.json", text, "application/json")
    app.text_input(key="import_name").input("fanout_copy")
    app.run()
    _button(app, "Import").click().run()
    assert not app.exception
    assert "Imported fanout_copy" in markdown_unliteral(app.success[0].value)
    assert _names(app) == ["fanout_copy"]


def test_import_a_bad_file_shows_each_problem_and_saves_nothing(app: AppTest):
    app.file_uploader[0].upload("broken.json", b'{"format": "workflow-builder/1",\n  "nodes": [}')
    app.run()
    _button(app, "Import").click().run()
    assert "not a readable workflow graph" in app.error[0].value
    problems = " ".join(markdown_unliteral(md.value) for md in app.markdown)
    assert "line 2, column" in problems and "malformed JSON" in problems
    # A readable JSON document of the wrong shape names the path of each problem.
    app.file_uploader[0].set_value(
        ("shape.json", b'{"format": "workflow-builder/1", "workflow": {}, "nodes": [{}]}', "")
    )
    app.run()
    _button(app, "Import").click().run()
    problems = " ".join(markdown_unliteral(md.value) for md in app.markdown)
    assert "workflow.name" in problems and "nodes[0].id" in problems
    # Over an input limit: the limit and where, not a RecursionError.
    deep = b'{"format": "workflow-builder/1", "workflow": {"name": "x", "description": '
    app.file_uploader[0].set_value(("deep.json", deep + b"[" * 10_000 + b"]" * 10_000 + b"}}", ""))
    app.run()
    _button(app, "Import").click().run()
    assert not app.exception
    problems = " ".join(markdown_unliteral(md.value) for md in app.markdown)
    assert "workflow.description[0][0]" in problems and "nested more than 64" in problems
    assert _services().workflows.list() == []


def _create(name: str) -> int:
    return _services().workflows.create_from_example("hello_activity", name=name).id


def test_rename_duplicate_and_delete(app: AppTest):
    workflow_id = _create("first")
    app.run()
    app.text_input(key=f"rename_{workflow_id}").input("renamed")
    _button(app, "Rename").click().run()
    assert _names(app) == ["renamed"]
    assert _services().workflows.get(workflow_id).draft_graph["workflow"]["name"] == "renamed"

    app.text_input(key=f"copy_{workflow_id}").input("second")
    _button(app, "Duplicate").click().run()
    assert _names(app) == ["renamed", "second"]
    assert app.selectbox(key="workflows_choice").value == "second"

    app.selectbox(key="workflows_choice").select("renamed").run()
    assert _button(app, "Delete").disabled  # not before the confirmation
    app.checkbox(key=f"confirm_delete_{workflow_id}").check().run()
    _button(app, "Delete").click().run()
    assert not app.exception
    assert _names(app) == ["second"]
    # Deleted workflows stay in the database (their versions and runs are kept).
    kept = _services().database.workflows.get(workflow_id, include_deleted=True)
    assert kept.deleted_at is not None


def test_export_button_is_offered_for_the_selected_workflow(app: AppTest):
    _create("exported")
    app.run()
    assert not app.exception
    (download,) = app.get("download_button")
    assert download.proto.label == "Export graph"
