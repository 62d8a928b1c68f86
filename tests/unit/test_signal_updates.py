"""Signal updates: what validation accepts and refuses, the JSON round trip, and the handlers
they compile to (run here against plain dicts; tests/integration runs them on a server)."""

from __future__ import annotations

import copy
import types
from typing import Any

import pytest

from core.compiler import compile_graph
from core.graph import dump_graph, graph_from_dict, load_graph
from tests.unit.test_validation import problems_of


def collecting(*, wait_for: str | None = None) -> dict[str, Any]:
    """A graph whose signals update variables: ``greet`` appends a name, ``meta`` merges an
    object, ``exit`` sets ``done``; the end returns what they collected."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}]
    edges: list[dict[str, Any]] = []
    if wait_for:
        nodes.append({"id": "wait", "type": "wait_signal", "params": {"signal": wait_for}})
        edges.append({"id": "e0", "source": "start", "target": "wait"})
    nodes.append(
        {"id": "end", "type": "end", "params": {"result": "[greetings, info, done]"}},
    )
    edges.append({"id": "e1", "source": nodes[-2]["id"], "target": "end"})
    return {
        "format": "workflow-builder/1",
        "workflow": {
            "name": "collect",
            "signals": [
                {
                    "name": "greet",
                    "fields": [
                        {"name": "name", "type": "string", "required": True},
                        {"name": "extra", "type": "object"},
                    ],
                    "updates": [{"variable": "greetings", "action": "append", "field": "name"}],
                },
                {
                    "name": "meta",
                    "fields": [{"name": "lang"}, {"name": "tz"}],
                    "updates": [{"variable": "info", "action": "merge"}],
                },
                {"name": "exit", "updates": [{"variable": "done", "value": True}]},
            ],
        },
        "nodes": nodes,
        "edges": edges,
    }


def workflow_namespace(document: dict[str, Any]) -> dict[str, Any]:
    """The compiled workflow.py, executed as a throwaway module (nothing runs)."""
    source = compile_graph(graph_from_dict(document)).files["workflow.py"]
    module = types.ModuleType("generated_workflow")
    exec(compile(source, "workflow.py", "exec"), module.__dict__)  # our own generated code
    return module.__dict__


def test_a_graph_reading_variables_only_signals_set_is_valid():
    # The end reads greetings, info and done, which no node sets: signals do.
    assert problems_of(collecting()) == []


def test_updates_round_trip_and_graphs_without_them_export_as_before():
    document = collecting()
    graph = graph_from_dict(document)
    assert load_graph(dump_graph(graph)) == graph
    exit_signal = graph_from_dict(document).workflow.signals[2]
    assert exit_signal.updates[0].action == "set" and exit_signal.updates[0].value is True
    for signal in document["workflow"]["signals"]:
        del signal["updates"]
    assert '"updates"' not in dump_graph(graph_from_dict(document))


@pytest.mark.parametrize(
    ("update", "field", "fragment"),
    [
        (
            {"variable": "greetings", "action": "append", "field": "nme"},
            "field",
            "no payload field",
        ),
        ({"variable": "x", "action": "merge", "field": "name"}, "field", "of type string"),
        ({"variable": "x", "action": "append", "value": 1}, "value", "only for set"),
        ({"variable": "x", "field": "name", "value": 1}, "value", "either a field or a value"),
        ({"variable": "input", "action": "set"}, "variable", "reserved"),
        ({"variable": "two words"}, "variable", "is not allowed"),
    ],
)
def test_a_bad_update_is_reported_where_it_is(update, field, fragment):
    document = collecting()
    document["workflow"]["signals"][0]["updates"].append(update)
    found = problems_of(document)
    where = f"signals[0].updates[1].{field}"
    assert any(f == where and fragment in m for _, _, f, m in found), found


def test_an_unknown_action_is_a_format_error_naming_it():
    document = collecting()
    document["workflow"]["signals"][0]["updates"][0]["action"] = "add"
    with pytest.raises(Exception, match=r"signals\[0\]\.updates\[0\]\.action"):
        graph_from_dict(document)


def test_signals_that_update_and_are_not_waited_for_are_not_queued():
    namespace = workflow_namespace(collecting())
    instance = namespace["CollectWorkflow"].__new__(namespace["CollectWorkflow"])
    instance.vars = {"greetings": None, "info": None, "done": None}
    instance.signals = {}
    instance.rejected_signals = []
    instance.on_greet({"name": "Ann"})
    instance.on_greet({"name": "Bob", "extra": {"a": 1}})
    instance.on_meta({"lang": "en"})
    instance.on_meta({"tz": "UTC"})
    instance.on_exit()
    assert instance.vars == {
        "greetings": ["Ann", "Bob"],
        "info": {"lang": "en", "tz": "UTC"},
        "done": True,
    }
    assert instance.signals == {} and instance.rejected_signals == []


def test_a_signal_a_step_waits_for_is_queued_too():
    source = compile_graph(graph_from_dict(collecting(wait_for="greet"))).files["workflow.py"]
    assert 'self.signals: dict[str, list[Any]] = {"greet": []}' in source
    assert 'self.signals["greet"].append(payload)' in source
    assert 'self.vars: dict[str, Any] = {"greetings": None, "info": None, "done": None}' in source


def test_an_update_that_cannot_apply_rejects_the_signal_and_changes_nothing():
    apply = workflow_namespace(collecting())["_apply_updates"]
    variables: dict[str, Any] = {"names": "Ann", "seen": 1}
    before = copy.deepcopy(variables)
    updates = (("seen", "set", 2), ("names", "append", "Bob"))
    assert apply(variables, updates) == "variable 'names' holds a str; append needs a list"
    assert variables == before
    assert (
        apply(variables, (("info", "merge", [1]),)) == "merge into 'info' needs an object, not list"
    )
    # A set earlier in the same signal decides what a later append meets.
    assert apply(variables, (("names", "set", []), ("names", "append", "Bob"))) == ""
    assert variables["names"] == ["Bob"]


def test_updated_values_are_copies():
    apply = workflow_namespace(collecting())["_apply_updates"]
    payload = {"tags": ["a"]}
    variables: dict[str, Any] = {}
    apply(variables, (("kept", "set", payload), ("list", "append", payload)))
    payload["tags"].append("b")
    assert variables == {"kept": {"tags": ["a"]}, "list": [{"tags": ["a"]}]}
