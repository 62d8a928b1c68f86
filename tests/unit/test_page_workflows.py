"""The Workflows page: create (blank, from an example, by import), rename, duplicate, delete."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.db import ExecutionStatus
from core.examples import get_example
from core.text import markdown_unliteral
from tests.unit.console import app_services, opened


@pytest.fixture
def app(console: AppTest) -> AppTest:
    console.run()
    return opened(console, "pages/workflows.py")


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
    record = app_services().workflows.list()[0]
    assert record.name == "greeter"
    draft = app_services().workflows.get(record.id).draft_graph
    assert draft["nodes"] == get_example("hello_activity").document["nodes"]
    # The builder page shows the new workflow.
    assert app.session_state["builder_workflow_id"] == record.id
    assert any("greeter" in md.value for md in app.markdown)


def test_create_blank_and_list_its_status(app: AppTest):
    app.text_input(key="blank_name").input("blank_one")
    app.text_input(key="blank_title").input("Blank one")
    _button(app, "Create").click().run()
    app.switch_page("pages/workflows.py").run()
    table = app.dataframe[0].value
    assert list(table["Name"]) == ["blank_one"]
    assert list(table["Workflow"]) == ["Blank one"]  # the title leads
    assert table["Draft"][0] == "valid"
    assert table["Live"][0] == "not deployed" and table["Undeployed changes"][0]
    assert table["Schedule"][0] == ""


def test_the_list_shows_a_recorded_schedule(app: AppTest):
    services = app_services()
    report = services.workflows.create_from_example("scheduled_report", name="daily")
    services.database.schedules.create(
        schedule_id="daily-schedule", workflow_id=report.id, cron="0 7 * * *"
    )
    app.run()
    assert app.dataframe[0].value["Schedule"][0] == "0 7 * * *"


def test_the_list_shows_each_workflows_last_run_and_links_to_its_runs(app: AppTest):
    services = app_services()
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
    app.text_input(key="blank_name").input("Bad Name")
    _button(app, "Create").click().run()
    assert app.error and "name" in app.error[0].value
    assert app_services().workflows.list() == []


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
    assert app_services().workflows.list() == []


def _create(name: str) -> int:
    return app_services().workflows.create_from_example("hello_activity", name=name).id


def test_rename_duplicate_and_delete(app: AppTest):
    workflow_id = _create("first")
    app.run()
    app.text_input(key=f"rename_{workflow_id}").input("renamed")
    _button(app, "Rename").click().run()
    assert _names(app) == ["renamed"]
    assert app_services().workflows.get(workflow_id).draft_graph["workflow"]["name"] == "renamed"

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
    kept = app_services().database.workflows.get(workflow_id, include_deleted=True)
    assert kept.deleted_at is not None


def test_export_button_is_offered_for_the_selected_workflow(app: AppTest):
    _create("exported")
    app.run()
    assert not app.exception
    (download,) = app.get("download_button")
    assert download.proto.label == "Export graph"


def _deploy_record(workflow_id: int, graph: dict, *, number: int) -> None:
    """A version and its active deployment, as a deploy leaves them (no Temporal needed)."""
    database = app_services().database
    version = database.versions.create_next(
        workflow_id, graph=graph, graph_hash="g", bundle_hash=f"b{number}", compiler_version="1"
    )
    deployment = database.deployments.create(
        workflow_id=workflow_id,
        version_id=version.id,
        task_queue="q",
        workflow_type=f"flow_v{number}",
        bundle_dir="unused",
    )
    database.deployments.activate(deployment.id)


def test_columns_say_what_is_live_and_whether_the_draft_differs(app: AppTest):
    from core.graph import graph_from_dict, graph_to_dict

    services = app_services()
    same = services.workflows.create_from_example("hello_activity", name="same")
    changed = services.workflows.create_from_example("hello_activity", name="changed")
    for record in (same, changed):
        _deploy_record(record.id, graph_to_dict(graph_from_dict(record.draft_graph)), number=1)
    draft = services.workflows.get(same.id).draft_graph
    moved = json.loads(json.dumps(draft))
    moved["nodes"][0]["position"] = {"x": 999, "y": 5}  # moving a node is no change
    services.workflows.save_draft(same.id, moved)
    edited = json.loads(json.dumps(draft))
    edited["nodes"][1]["label"] = "Greet loudly"
    services.workflows.save_draft(changed.id, edited)
    services.workflows.create(name="never", title="Never deployed")
    app.run()
    table = app.dataframe[0].value.set_index("Name")
    assert table.loc["same", "Live"] == "v1" and not table.loc["same", "Undeployed changes"]
    assert table.loc["changed", "Live"] == "v1" and table.loc["changed", "Undeployed changes"]
    assert table.loc["never", "Live"] == "not deployed"
    assert table.loc["never", "Undeployed changes"]
    assert table.loc["never", "Workflow"] == "Never deployed"


def test_the_list_is_one_query_however_many_workflows(app: AppTest):
    from sqlalchemy import event

    services = app_services()
    for n in range(6):
        record = services.workflows.create_from_example("hello_activity", name=f"flow_{n}")
        _deploy_record(record.id, record.draft_graph, number=1)
    engine = services.database.engine
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert len(services.workflows.listing()) == 6
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([text for text in statements if text.lstrip().upper().startswith("SELECT")]) == 1


def test_search_filters_by_name_or_title_and_a_row_opens_the_builder(app: AppTest):
    services = app_services()
    services.workflows.create(name="orders", title="Order approval")
    services.workflows.create(name="invoices", title="Monthly invoices")
    app.run()
    app.text_input(key="workflows_search").input("approval").run()
    assert _names(app) == ["orders"]
    app.text_input(key="workflows_search").input("INV").run()
    assert _names(app) == ["invoices"]
    table = app.dataframe[0]
    # A click on the Runs link cell follows the link and opens nothing here.
    app.session_state[table.key] = {
        "selection": {"rows": [], "columns": [], "cells": [[0, "Runs"]]}
    }
    app.run()
    assert "builder_workflow_id" not in app.session_state
    # What the browser sends when a cell of a row is clicked: the selection, in the table's state.
    app.session_state[table.key] = {
        "selection": {"rows": [], "columns": [], "cells": [[0, "Name"]]}
    }
    app.run()
    assert not app.exception
    invoices = next(item for item in services.workflows.list() if item.name == "invoices")
    assert app.session_state["builder_workflow_id"] == invoices.id
    assert any("invoices" in md.value for md in app.markdown)  # the builder shows it
    # Its status line (live version, undeployed changes) comes from the database alone.
    assert not services.temporal_started
