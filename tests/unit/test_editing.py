"""Graph document edits the builder makes, and the bounded undo/redo history."""

from __future__ import annotations

import copy

import pytest

from core.editing import (
    EditError,
    History,
    add_node,
    connect,
    default_handle,
    node_handles,
    remove_edges,
    remove_nodes,
    set_edge_handle,
    sync_from_canvas,
    update_node,
    update_workflow,
)
from core.examples import get_example
from core.graph import graph_from_dict
from core.layout import auto_layout, layered_positions
from core.nodes.catalog import CATALOG
from core.services import blank_document
from core.validation import validate


@pytest.fixture
def doc() -> dict:
    return blank_document("demo")


def test_add_node_of_every_kind_has_fresh_ids_and_params_the_catalog_accepts(doc):
    for kind in CATALOG:
        doc, node_id = add_node(doc, kind=kind, near="start")
        node = doc["nodes"][-1]
        assert node["id"] == node_id and node["type"] == kind
        assert node_id.startswith(kind)
        if kind != "wait_signal":  # its signal must be declared in the settings first
            CATALOG[kind].params_model.model_validate(node["params"])
    ids = [node["id"] for node in doc["nodes"]]
    assert len(ids) == len(set(ids))


def test_add_node_does_not_touch_the_input_and_places_beside_the_anchor(doc):
    before = copy.deepcopy(doc)
    new, node_id = add_node(doc, kind="timer", near="start")
    assert doc == before
    placed = next(node for node in new["nodes"] if node["id"] == node_id)["position"]
    # The end node already sits right of start, so the new one goes below it.
    assert placed == {"x": 210, "y": 100}


def test_add_node_rejects_unknown_kind(doc):
    with pytest.raises(EditError, match="unknown node kind 'teleport'"):
        add_node(doc, kind="teleport")


def test_remove_node_removes_its_edges(doc):
    doc = remove_nodes(doc, ["end"])
    assert [node["id"] for node in doc["nodes"]] == ["start"]
    assert doc["edges"] == []


def test_connect_picks_the_first_free_required_handle(doc):
    doc, cond = add_node(doc, kind="condition")
    doc = remove_edges(doc, ["e1"])
    doc, first = connect(doc, source=cond, target="end")
    doc, second = connect(doc, source=cond, target="end")
    handles = {edge["id"]: edge["handle"] for edge in doc["edges"]}
    assert (handles[first], handles[second]) == ("true", "false")
    assert first == "e1" and second == "e2"


def test_connect_rejects_missing_nodes_and_taken_ids(doc):
    with pytest.raises(EditError, match="target node 'nowhere' does not exist"):
        connect(doc, source="start", target="nowhere")
    with pytest.raises(EditError, match="edge id 'e1' is already used"):
        connect(doc, source="start", target="end", edge_id="e1")


def test_switch_handles_follow_its_cases(doc):
    doc, switch = add_node(doc, kind="switch")
    assert node_handles(doc, switch) == ("a", "b", "default")
    doc = update_node(doc, switch, params={"expression": "x", "cases": [1, "z"]})
    assert node_handles(doc, switch) == ("1", "z", "default")
    assert default_handle(doc, switch) == "1"


def test_activity_offers_its_error_handle(doc):
    doc, act = add_node(doc, kind="activity")
    assert node_handles(doc, act) == ("next", "error")


def test_set_edge_handle_and_update_node_and_workflow(doc):
    doc = set_edge_handle(doc, "e1", "error")
    assert doc["edges"][0]["handle"] == "error"
    doc = update_node(doc, "end", label="Finish", params={"result": "1"})
    assert doc["nodes"][1]["label"] == "Finish" and doc["nodes"][1]["params"] == {"result": "1"}
    doc = update_workflow(doc, task_queue="orders")
    assert doc["workflow"]["task_queue"] == "orders" and doc["workflow"]["name"] == "demo"
    with pytest.raises(EditError, match="edge 'nope' does not exist"):
        set_edge_handle(doc, "nope", "next")


def test_sync_from_canvas_applies_moves_deletions_and_new_edges(doc):
    doc, timer = add_node(doc, kind="timer")
    sync = sync_from_canvas(
        doc,
        positions={"start": (5, 6), "end": (260, 0), timer: (520, 0)},
        edges={
            "st-flow-edge_end-x": ("end", timer),
            "st-flow-edge_start-" + timer: ("start", timer),
        },
    )
    assert sync.changed
    assert sync.new_edges == ("st-flow-edge_end-x", "st-flow-edge_start-" + timer)
    assert sync.document["nodes"][0]["position"] == {"x": 5, "y": 6}
    assert {edge["id"] for edge in sync.document["edges"]} == set(sync.new_edges)  # e1 deleted
    # A new edge from start takes its free required handle.
    assert sync.document["edges"][1]["handle"] == "next"
    removed = sync_from_canvas(sync.document, positions={"start": (5, 6)}, edges={})
    assert [node["id"] for node in removed.document["nodes"]] == ["start"]


def test_sync_from_canvas_takes_labels_edited_on_the_canvas(doc):
    view = {"positions": {"start": (0, 0), "end": (260, 0)}, "edges": {"e1": ("start", "end")}}
    sync = sync_from_canvas(doc, **view, labels={"end": "Finish", "gone": "ignored"})
    assert sync.changed
    assert [node.get("label") for node in sync.document["nodes"]] == ["Start", "Finish"]
    assert not sync_from_canvas(sync.document, **view, labels={"end": "Finish"}).changed


def test_sync_from_canvas_reports_no_change_for_the_same_view(doc):
    sync = sync_from_canvas(
        doc, positions={"start": (0, 0), "end": (260, 0)}, edges={"e1": ("start", "end")}
    )
    assert not sync.changed and sync.new_edges == ()


def test_history_undo_redo_and_bound():
    history = History.start({"n": 0}, limit=3)
    assert not history.can_undo and not history.can_redo
    for n in range(1, 6):
        history = history.push({"n": n})
    assert history.document == {"n": 5}
    assert len(history.past) == 3  # bounded: the oldest steps are dropped
    history = history.undo().undo()
    assert history.document == {"n": 3} and history.can_redo
    history = history.redo()
    assert history.document == {"n": 4}
    history = history.push({"n": 40})
    assert not history.can_redo  # a new edit drops the undone steps
    assert history.undo().document == {"n": 4}
    assert history.push({"n": 40}) is history  # unchanged documents are not new steps


def test_history_copies_are_independent():
    history = History.start({"a": [1]})
    copy_one = history.document
    copy_one["a"].append(2)
    assert history.document == {"a": [1]}


def test_layered_layout_puts_each_node_right_of_its_predecessor():
    document = get_example("http_fetch_condition").document
    positions = layered_positions(document)
    assert positions["start"] == (0, 0)
    for edge in document["edges"]:
        source_x = positions[edge["source"]][0]
        target_x = positions[edge["target"]][0]
        assert target_x > source_x or edge["target"] == "start"
    laid_out = auto_layout(document)
    assert len({(n["position"]["x"], n["position"]["y"]) for n in laid_out["nodes"]}) == len(
        laid_out["nodes"]
    )
    assert validate(graph_from_dict(laid_out)) == validate(graph_from_dict(document))


def test_layered_layout_stacks_loose_nodes_in_the_first_layer(doc):
    doc, timer = add_node(doc, kind="timer")
    doc = remove_edges(doc, ["e1"])
    positions = layered_positions(doc)
    # Nodes nothing points to are roots, like start, so they share layer 0, one per row.
    assert positions == {"start": (0, 0), "end": (0, 90), timer: (0, 180)}


def test_layered_layout_puts_nodes_only_on_a_cycle_last(doc):
    doc, a = add_node(doc, kind="timer")
    doc, b = add_node(doc, kind="timer")
    doc, _ = connect(doc, source=a, target=b)
    doc, _ = connect(doc, source=b, target=a)
    positions = layered_positions(doc)
    assert positions[a][0] == positions[b][0] == 2 * 210
