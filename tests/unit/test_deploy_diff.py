"""Graph and code diffs between versions."""

from __future__ import annotations

import copy
import json

from core.compiler import compile_graph
from core.deploy.diff import FieldChange, code_diff, graph_diff
from core.examples import EXAMPLES_DIR
from core.graph import graph_from_dict, graph_to_dict


def canonical(example: str) -> dict:
    text = (EXAMPLES_DIR / f"{example}.json").read_text(encoding="utf-8")
    return graph_to_dict(graph_from_dict(json.loads(text)))


def node(document: dict, node_id: str) -> dict:
    return next(item for item in document["nodes"] if item["id"] == node_id)


def test_identical_graphs_and_moved_nodes_give_an_empty_diff():
    a = canonical("approval_signal")
    b = copy.deepcopy(a)
    node(b, "wait")["position"] = {"x": 1, "y": 2}
    assert graph_diff(a, b).empty


def test_param_changes_are_listed_by_path():
    a = canonical("hello_activity")
    b = copy.deepcopy(a)
    node(b, "greet")["params"]["start_to_close_timeout"] = "5m"
    node(b, "greet")["label"] = "Say hello"
    diff = graph_diff(a, b)
    assert [item.id for item in diff.nodes_changed] == ["greet"]
    changes = diff.nodes_changed[0].changes
    assert FieldChange("label", "Greet", "Say hello") in changes
    assert any(c.path == "params.start_to_close_timeout" and c.new == "5m" for c in changes)


def test_added_removed_and_rewired_items():
    a = canonical("approval_signal")
    b = copy.deepcopy(a)
    b["nodes"] = [n for n in b["nodes"] if n["id"] != "timed_out"]
    b["edges"] = [e for e in b["edges"] if e["id"] not in ("e4", "e9")]
    b["nodes"].append({**node(a, "approved"), "id": "audit"})
    next(e for e in b["edges"] if e["id"] == "e7")["target"] = "audit"
    b["workflow"]["description"] = "changed"
    diff = graph_diff(a, b)
    assert diff.nodes_added == ("audit",) and diff.nodes_removed == ("timed_out",)
    assert diff.edges_removed == ("e4", "e9")
    assert [(i.id, i.changes) for i in diff.edges_changed] == [
        ("e7", (FieldChange("target", "end", "audit"),))
    ]
    assert diff.workflow == (FieldChange("description", a["workflow"]["description"], "changed"),)


def test_code_diff_is_unified_per_file_and_empty_when_equal():
    graph = graph_from_dict(canonical("hello_activity"))
    v1, v2 = compile_graph(graph, version=1), compile_graph(graph, version=2)
    diff = code_diff(v1, v2, label_a="v1", label_b="v2")
    assert diff["activities.py"] == ""
    assert "--- v1/workflow.py" in diff["workflow.py"]
    assert '-WORKFLOW_TYPE = "hello_activity_v1"' in diff["workflow.py"]
    assert '+WORKFLOW_TYPE = "hello_activity_v2"' in diff["workflow.py"]
