"""Adding from the palette inserts into the flow after the selection; duplicate and delete."""

from __future__ import annotations

import copy

import pytest

from core.editing import (
    delete_item,
    duplicate_node,
    insert_node,
    insertion_anchor,
    onward_handle,
)
from core.graph import graph_from_dict
from core.nodes.catalog import CATALOG
from core.services import blank_document
from core.validation import validate

#: The handle each kind goes on through when something is inserted after it.
ONWARD = {
    "start": "next",
    "activity": "next",
    "condition": "true",
    "switch": "a",  # its first starter case
    "parallel": "branch",
    "join": "next",
    "loop": "done",
    "parallel_loop": "done",
    "while_loop": "done",
    "break_loop": None,
    "continue_loop": None,
    "timer": "next",
    "wait_signal": "next",
    "wait_until": "next",
    "wait_any": "approve",  # its first starter signal
    "set_variable": "next",
    "child_workflow": "next",
    "end": None,
    "fail": None,
}


@pytest.fixture
def doc() -> dict:
    return blank_document("demo")


def _edges(document: dict) -> set[tuple[str, str, str]]:
    return {(e["source"], e["target"], e["handle"]) for e in document["edges"]}


def _x(document: dict, node_id: str) -> float:
    return next(n for n in document["nodes"] if n["id"] == node_id)["position"]["x"]


def test_every_kind_has_an_onward_handle_but_end_fail_break_and_continue():
    assert set(ONWARD) == set(CATALOG)
    document = blank_document("demo")
    for kind in CATALOG:
        document, node_id = insert_node(document, kind=kind, after=None)
        assert onward_handle(document, node_id) == ONWARD[kind], kind


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_inserting_each_kind_after_a_selected_node_goes_into_its_edge(doc, kind):
    before = copy.deepcopy(doc)
    new, node_id = insert_node(doc, kind=kind, after="start")
    assert doc == before
    if ONWARD[kind] is None:  # an end or fail cannot lead on: it is added, start -> end kept
        assert _edges(new) == {("start", "end", "next")}
        return
    assert _edges(new) == {("start", node_id, "next"), (node_id, "end", ONWARD[kind])}
    # The edge leaving start is the same edge, re-pointed.
    assert next(e for e in new["edges"] if e["source"] == "start")["id"] == "e1"
    assert _x(new, "start") < _x(new, node_id) < _x(new, "end")


@pytest.mark.parametrize("kind", sorted(CATALOG))
def test_inserting_after_each_kind_of_selected_node(doc, kind):
    doc, anchor = insert_node(doc, kind=kind, after="start")
    if ONWARD[kind] is None:
        anchor = "end"  # the new end stands alone; insert before the connected one
    follows = {(s, t) for s, t, _ in _edges(doc) if s == anchor}
    new, timer = insert_node(doc, kind="timer", after=anchor)
    edges = _edges(new)
    if anchor == "end":  # nothing may leave an end: the timer goes before it
        assert {(s, t) for s, t, _ in edges if t == timer} == {("start", timer)}
        assert (timer, "end", "next") in edges
        return
    assert (anchor, timer, ONWARD[kind]) in edges
    ((_, target),) = follows
    assert (timer, target, "next") in edges
    assert not any(s == anchor and t == target for s, t, _ in edges)


def test_three_nodes_in_a_row_make_a_valid_chain(doc):
    selected = "start"
    for kind in ("timer", "set_variable", "activity"):
        doc, selected = insert_node(doc, kind=kind, after=selected)
    assert _edges(doc) == {
        ("start", "timer_1", "next"),
        ("timer_1", "set_variable_1", "next"),
        ("set_variable_1", "activity_1", "next"),
        ("activity_1", "end", "next"),
    }
    assert validate(graph_from_dict(doc)) == []
    xs = [_x(doc, n) for n in ("start", "timer_1", "set_variable_1", "activity_1", "end")]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)  # laid out left to right, no overlap


def test_nothing_selected_goes_before_the_end(doc):
    doc, first = insert_node(doc, kind="timer", after=None)
    doc, second = insert_node(doc, kind="timer", after=None)
    assert _edges(doc) == {
        ("start", first, "next"),
        (first, second, "next"),
        (second, "end", "next"),
    }


def test_nothing_selected_and_no_end_goes_after_the_rightmost_node(doc):
    doc = delete_item(doc, "end")
    doc, node_id = insert_node(doc, kind="timer", after=None)
    assert _edges(doc) == {("start", node_id, "next")}
    empty = {**doc, "nodes": [], "edges": []}
    alone, node_id = insert_node(empty, kind="timer", after=None)
    assert alone["edges"] == [] and [n["id"] for n in alone["nodes"]] == [node_id]


def test_a_selected_edge_gets_the_node_in_its_middle(doc):
    doc, condition = insert_node(doc, kind="condition", after="start")
    doc, timer = insert_node(doc, kind="timer", after=None)  # before end: condition -> timer
    true_edge = next(e for e in doc["edges"] if e["source"] == condition)
    new, wait = insert_node(doc, kind="set_variable", after=true_edge["id"])
    assert (condition, wait, "true") in _edges(new) and (wait, timer, "next") in _edges(new)


def test_a_free_onward_handle_is_used_without_moving_edges(doc):
    doc, condition = insert_node(doc, kind="condition", after="start")
    doc = delete_item(doc, next(e["id"] for e in doc["edges"] if e["source"] == condition))
    new, timer = insert_node(doc, kind="timer", after=condition)
    assert _edges(new) == {("start", condition, "next"), (condition, timer, "true")}


def test_a_loop_body_back_edge_is_not_pushed(doc):
    doc, loop = insert_node(doc, kind="loop", after="start")
    doc, body = insert_node(doc, kind="timer", after=None)  # loop -done-> timer -> end
    # Make the timer the loop's body instead: loop -body-> timer -> loop.
    doc = copy.deepcopy(doc)
    for edge in doc["edges"]:
        if edge["source"] == loop:
            edge["handle"] = "body"
        if edge["source"] == body:
            edge["target"] = loop
    doc["edges"].append({"id": "done", "source": loop, "target": "end", "handle": "done"})
    loop_x = _x(doc, loop)
    new, _ = insert_node(doc, kind="set_variable", after=loop)  # after done: before end
    assert _x(new, loop) == loop_x


def test_end_added_with_no_free_handle_stays_unconnected(doc):
    new, end = insert_node(doc, kind="end", after="start")
    assert _edges(new) == _edges(doc) and end in {n["id"] for n in new["nodes"]}


def test_duplicate_copies_the_node_after_it(doc):
    doc, timer = insert_node(doc, kind="timer", after="start")
    doc["nodes"][-1]["params"] = {"duration": "5m"}
    doc["nodes"][-1]["label"] = "Pause"
    new, copy_id = duplicate_node(doc, timer)
    copied = next(n for n in new["nodes"] if n["id"] == copy_id)
    assert copied["params"] == {"duration": "5m"} and copied["label"] == "Pause"
    assert (timer, copy_id, "next") in _edges(new) and (copy_id, "end", "next") in _edges(new)


def test_delete_bridges_a_node_with_one_edge_in_and_out(doc):
    doc, timer = insert_node(doc, kind="timer", after="start")
    new = delete_item(doc, timer)
    assert _edges(new) == {("start", "end", "next")}
    assert delete_item(doc, "e1")["edges"] == [e for e in doc["edges"] if e["id"] != "e1"]


def test_insertion_anchor_names_what_the_next_node_goes_against(doc):
    assert insertion_anchor(doc, "start") == ("node", "start")
    assert insertion_anchor(doc, "e1") == ("edge", "e1")
    assert insertion_anchor(doc, None) == ("node", "end")  # the end something reaches
    assert insertion_anchor(doc, "gone") == ("node", "end")  # a stale selection is no selection
    assert insertion_anchor({"nodes": [], "edges": []}, None) is None
