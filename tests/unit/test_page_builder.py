"""The builder page: canvas events, palette, inspector, validation, undo/redo, code view."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.text import markdown_unliteral
from pages.widgets.kind_looks import LOOKS
from tests.unit.console import app_services, in_builder, saved_draft, settings_open

CANVAS = "builder_canvas"


@pytest.fixture
def app(console: AppTest) -> AppTest:
    return in_builder(console, example="http_fetch_condition", name="fetcher")


def _canvas(at: AppTest) -> dict[str, Any]:
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def _canvas_event(at: AppTest, *, selected: str | None = None, **changes: Any) -> AppTest:
    """Send what the frontend would: the whole node and edge lists, a selection, a timestamp."""
    shown = _canvas(at)
    event = {
        "nodes": changes.get("nodes", shown["nodes"]),
        "edges": changes.get("edges", shown["edges"]),
        "selectedId": selected,
        "timestamp": int(time.time() * 1000) + 60_000,
    }
    at.session_state[CANVAS] = event
    return at.run()


def _button(at: AppTest, label: str):
    return next(button for button in at.button if button.label == label)


def _node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(node for node in document["nodes"] if node["id"] == node_id)


def test_canvas_draws_the_draft(app: AppTest):
    canvas = _canvas(app)
    nodes = {node["id"]: node for node in canvas["nodes"]}
    assert set(nodes) == {node["id"] for node in saved_draft(app)["nodes"]}
    assert nodes["start"]["type"] == "input" and nodes["end"]["type"] == "output"
    assert nodes["fetch"]["type"] == "default"
    assert nodes["fetch"]["data"]["title"] == "Activity"
    labels = {edge["label"] for edge in canvas["edges"]}
    assert {"true", "false"} <= labels and "next" not in labels
    assert any("No problems" in item.value for item in app.success)
    # Each kind in its colour with its icon; fitted views may zoom out past 0.5 (which cut off
    # wide graphs); no minimap on a graph this small; a taller canvas from the More menu.
    assert nodes["fetch"]["style"]["borderLeft"] == f"6px solid {LOOKS['activity'].colour}"
    assert nodes["ok"]["data"]["icon"] == LOOKS["condition"].bootstrap
    assert canvas["fitView"] is True and canvas["minZoom"] == 0.2
    assert canvas["showMiniMap"] is False and canvas["height"] == 520
    app.toggle(key="builder_tall_canvas").set_value(True).run()
    assert _canvas(app)["height"] == 800


def test_clicking_a_node_opens_its_inspector(app: AppTest):
    _canvas_event(app, selected="ok")
    assert not app.exception
    assert any(md.value == "### Condition" for md in app.markdown)
    assert app.text_input(key="inspector_1.label").value == _node(saved_draft(app), "ok")["label"]


def test_palette_inserts_after_the_selected_node_and_saves(app: AppTest):
    # Nothing selected: before the end. The palette's tooltips say so.
    assert _button(app, "Timer").help.endswith("New nodes go before **Done**.")
    _canvas_event(app, selected="fetch")
    assert _button(app, "Timer").help.endswith("New nodes go after **Fetch**.")
    _button(app, "Timer").click().run()
    assert not app.exception
    draft = saved_draft(app)
    edges = {(e["source"], e["target"], e["handle"]) for e in draft["edges"]}
    assert {("fetch", "timer_1", "next"), ("timer_1", "ok", "next")} <= edges
    assert ("fetch", "ok", "next") not in edges
    assert _node(draft, "timer_1")["position"]["x"] < _node(draft, "ok")["position"]["x"]
    drawn = next(node for node in _canvas(app)["nodes"] if node["id"] == "timer_1")
    assert drawn["selected"] is True
    assert any(md.value == "### Timer" for md in app.markdown)  # the new node is selected
    assert any("Saved at " in caption.value for caption in app.caption)
    assert any("No problems" in item.value for item in app.success)
    # A second click chains after the new node, which is selected now.
    _button(app, "Set variable").click().run()
    edges = {(e["source"], e["target"]) for e in saved_draft(app)["edges"]}
    assert {("timer_1", "set_variable_1"), ("set_variable_1", "ok")} <= edges


def test_duplicate_and_delete_the_selection(app: AppTest):
    _canvas_event(app, selected="found")
    _button(app, "Duplicate").click().run()
    assert not app.exception
    edges = {(e["source"], e["target"]) for e in saved_draft(app)["edges"]}
    assert {("found", "set_variable_1"), ("set_variable_1", "end")} <= edges
    copied = saved_draft(app)
    assert _node(copied, "set_variable_1")["params"] == _node(copied, "found")["params"]
    _button(app, "Delete").click().run()  # the copy, which is selected now
    assert "set_variable_1" not in {node["id"] for node in saved_draft(app)["nodes"]}
    assert ("found", "end") in {(e["source"], e["target"]) for e in saved_draft(app)["edges"]}
    assert _button(app, "Delete").disabled and _button(app, "Duplicate").disabled


def test_status_line_says_which_version_is_live(app: AppTest):
    assert any("not deployed yet" in caption.value for caption in app.caption)
    services = app_services()
    workflow_id = app.session_state["builder_workflow_id"]
    draft = saved_draft(app)
    version = services.database.versions.create_next(
        workflow_id, graph=draft, graph_hash="g", bundle_hash="b", compiler_version="2"
    )
    deployment = services.database.deployments.create(
        workflow_id=workflow_id,
        version_id=version.id,
        task_queue="q",
        workflow_type="fetcher_v1",
        bundle_dir="unused",
    )
    services.database.deployments.activate(deployment.id)
    app.run()
    assert any("live: version 1 · draft deployed" in c.value for c in app.caption)
    _canvas_event(app, selected="found")
    _button(app, "Timer").click().run()
    assert any("draft has undeployed changes" in c.value for c in app.caption)


def test_editing_a_param_updates_validation_and_fixing_it_clears_it(app: AppTest):
    _canvas_event(app, selected="ok")
    expression = app.text_input(key="inspector_1.expression")
    expression.input("__import__('os')").run()
    assert not app.exception
    assert _node(saved_draft(app), "ok")["params"]["expression"] == "__import__('os')"
    errors = " ".join(markdown_unliteral(error.value) for error in app.error)
    assert "Expression:" in errors  # checked as typed, before the whole graph is validated
    node_problem = [b for b in app.button if b.key and b.key.startswith("problem_")]
    assert node_problem and "node ok" in node_problem[0].label
    ok = next(node for node in _canvas(app)["nodes"] if node["id"] == "ok")
    assert "#DC2626" in ok["style"]["outline"]
    assert ok["data"]["problems"] == 1  # the badge

    app.text_input(key="inspector_1.expression").input("response.status == 200").run()
    assert any("No problems" in item.value for item in app.success)
    ok = next(node for node in _canvas(app)["nodes"] if node["id"] == "ok")
    assert "outline" not in ok["style"] and ok["data"]["problems"] == 0


def test_a_number_param_holding_null_is_shown_as_text_to_fix(app: AppTest):
    # An imported file may hold any JSON in a param; validation names the problem, and the
    # inspector must still open (a number box cannot show null).
    document = saved_draft(app)
    _node(document, "fetch")["params"]["retry"] = {"max_attempts": None}
    imported = app_services().workflows.import_document(json.dumps(document), name="imported")
    app.query_params["workflow"] = str(imported.id)
    app.run()
    assert any(md.value == "## imported" for md in app.markdown)
    _canvas_event(app, selected="fetch")
    assert not app.exception
    (box,) = [area for area in app.text_area if area.key.endswith(".retry.max_attempts")]
    assert box.value == "null"
    assert any("retry.max_attempts" in markdown_unliteral(error.value) for error in app.error)

    box.input("5").run()
    assert not app.exception
    assert _node(saved_draft(app), "fetch")["params"]["retry"] == {"max_attempts": 5}
    assert any("No problems" in item.value for item in app.success)


def test_problem_list_selects_the_node(app: AppTest):
    _canvas_event(app, selected="ok")
    app.text_input(key="inspector_1.expression").input("1 +").run()
    (problem,) = [b for b in app.button if b.key and b.key.startswith("problem_")]
    _canvas_event(app, selected="start")
    assert any(md.value == "### Start" for md in app.markdown)
    problem = next(b for b in app.button if b.key == problem.key)
    problem.click().run()
    assert any(md.value == "### Condition" for md in app.markdown)
    ok = next(node for node in _canvas(app)["nodes"] if node["id"] == "ok")
    assert ok["selected"] is True


def test_undo_and_redo(app: AppTest):
    assert _button(app, "Undo").disabled
    _button(app, "Join").click().run()
    assert "join_1" in {node["id"] for node in saved_draft(app)["nodes"]}
    _button(app, "Undo").click().run()
    assert "join_1" not in {node["id"] for node in saved_draft(app)["nodes"]}
    assert "join_1" not in {node["id"] for node in _canvas(app)["nodes"]}
    _button(app, "Redo").click().run()
    assert "join_1" in {node["id"] for node in saved_draft(app)["nodes"]}
    assert _button(app, "Redo").disabled


def test_connecting_on_the_canvas_asks_for_the_handle(app: AppTest):
    _button(app, "Condition").click().run()  # inserted before end: condition_1 -true-> end
    shown = _canvas(app)
    new_edge = {"id": "st-flow-edge_condition_1-end", "source": "condition_1", "target": "end"}
    _canvas_event(app, edges=[*shown["edges"], new_edge], selected=new_edge["id"])
    assert not app.exception
    edge = next(e for e in saved_draft(app)["edges"] if e["id"] == new_edge["id"])
    assert edge["handle"] == "false"  # the first free required handle of a condition
    handle = app.selectbox(key=f"inspector_{_generation(app)}.handle")
    assert handle.options == ["true", "false"] and handle.value == "false"
    handle.select("true").run()
    edge = next(e for e in saved_draft(app)["edges"] if e["id"] == new_edge["id"])
    assert edge["handle"] == "true"
    drawn = next(e for e in _canvas(app)["edges"] if e["id"] == new_edge["id"])
    assert drawn["label"] == "true"


def _generation(app: AppTest) -> int:
    return app.session_state["builder_editor"].generation


def test_deleting_on_the_canvas_removes_the_node_and_its_edges(app: AppTest):
    shown = _canvas(app)
    nodes = [node for node in shown["nodes"] if node["id"] != "missing"]
    edges = [e for e in shown["edges"] if "missing" not in (e["source"], e["target"])]
    _canvas_event(app, nodes=nodes, edges=edges)
    draft = saved_draft(app)
    assert "missing" not in {node["id"] for node in draft["nodes"]}
    assert all("missing" not in (e["source"], e["target"]) for e in draft["edges"])


def test_dragging_saves_positions_without_redrawing(app: AppTest):
    shown = _canvas(app)
    nodes = [
        {**node, "position": {"x": 999, "y": 555}} if node["id"] == "end" else node
        for node in shown["nodes"]
    ]
    sent = app.session_state["builder_editor"].flow.timestamp
    _canvas_event(app, nodes=nodes)
    assert _node(saved_draft(app), "end")["position"] == {"x": 999, "y": 555}
    assert app.session_state["builder_editor"].flow.timestamp == sent


def _with_label(app: AppTest, node_id: str, label: str) -> list[dict[str, Any]]:
    """The canvas's nodes with one node's label changed, as its node menu's Edit Node does."""
    return [
        {**node, "data": {**node["data"], "label": label}} if node["id"] == node_id else node
        for node in _canvas(app)["nodes"]
    ]


def test_a_node_renamed_with_the_canvas_menu_is_saved_and_redrawn(app: AppTest):
    _canvas_event(app, selected="fetch")  # its inspector is open while it is renamed
    sent = app.session_state["builder_editor"].flow.timestamp
    _canvas_event(app, nodes=_with_label(app, "fetch", "**Fetch the page** "))
    assert not app.exception
    assert _node(saved_draft(app), "fetch")["label"] == "Fetch the page"
    assert app.session_state["builder_editor"].flow.timestamp > sent  # redrawn
    fetch = next(node for node in _canvas(app)["nodes"] if node["id"] == "fetch")
    assert (fetch["data"]["label"], fetch["data"]["title"]) == ("Fetch the page", "Activity")
    label = app.text_input(key=f"inspector_{_generation(app)}.label")
    assert label.value == "Fetch the page"
    # Emptying the text names nothing: the label stays.
    _canvas_event(app, nodes=_with_label(app, "fetch", "  "))
    assert _node(saved_draft(app), "fetch")["label"] == "Fetch the page"


def test_auto_layout_moves_nodes_into_layers(app: AppTest):
    _button(app, "Auto layout").click().run()
    draft = saved_draft(app)
    assert _node(draft, "start")["position"] == {"x": 0, "y": 0}
    assert _node(draft, "fetch")["position"]["x"] == 210


def test_code_view_shows_the_generated_workflow_and_manifest(app: AppTest):
    app.segmented_control(key="builder_view").set_value("Code").run()
    assert not app.exception
    assert app.code[0].language == "python"
    assert "@workflow.defn" in app.code[0].value
    manifest = json.loads(app.code[1].value)
    assert manifest["workflow_type"] == "fetcher"
    # The whole bundle first; each file has its own download too (see test_page_forms.py).
    assert app.get("download_button")[0].proto.label == "Download all files (.zip)"


def test_code_view_starts_children_as_a_deploy_would(app: AppTest):
    services = app_services()
    parent = services.workflows.create_from_example("child_workflow", name="parent")
    app.query_params["workflow"] = str(parent.id)
    app.run()
    app.segmented_control(key="builder_view").set_value("Code").run()
    assert not app.exception
    assert "Not deployed yet: `hello_activity`" in app.info[0].value
    assert 'execute_child_workflow(\n                "hello_activity",\n' in app.code[0].value

    # Once the child has an active deployment, the code starts that version on its queue.
    child = services.workflows.create_from_example("hello_activity", name="hello_activity")
    version = services.database.versions.create_next(
        child.id, graph=child.draft_graph, graph_hash="g", bundle_hash="b", compiler_version="2"
    )
    deployment = services.database.deployments.create(
        workflow_id=child.id,
        version_id=version.id,
        task_queue="queue-of-hello",
        workflow_type="hello_activity_v1",
        bundle_dir="unused",
    )
    services.database.deployments.activate(deployment.id)
    app.run()
    assert not app.info
    code = app.code[0].value
    assert '"hello_activity_v1",' in code and 'task_queue="queue-of-hello"' in code
    manifest = json.loads(app.code[1].value)
    assert manifest["child_workflows"] == [
        {
            "workflow": "hello_activity",
            "workflow_type": "hello_activity_v1",
            "task_queue": "queue-of-hello",
        }
    ]


def test_code_view_of_an_invalid_draft_points_at_the_problems(app: AppTest):
    _button(app, "Condition").click().run()  # its false edge is missing
    app.segmented_control(key="builder_view").set_value("Code").run()
    assert not app.code
    assert "once the workflow is valid" in app.warning[0].value


def test_workflow_settings_edit_the_description_and_queries(app: AppTest):
    key = f"inspector_{_generation(app)}_settings"
    assert not [area for area in app.text_area if area.key == f"{key}.description"]  # tab closed
    settings_open(app)
    app.text_area(key=f"{key}.description").input("Fetches a page").run()
    assert saved_draft(app)["workflow"]["description"] == "Fetches a page"
    app.text_input(key=f"{key}.task_queue").input("pages").run()
    assert saved_draft(app)["workflow"]["task_queue"] == "pages"
