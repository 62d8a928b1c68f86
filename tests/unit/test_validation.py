"""Every validation rule, each on a broken variant of a valid example graph."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.graph import graph_from_dict
from core.validation import GraphInvalidError, check, validate

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(item for item in document["nodes"] if item["id"] == node_id)


def edge(document: dict[str, Any], source: str, handle: str = "next") -> dict[str, Any]:
    return next(
        item for item in document["edges"] if item["source"] == source and item["handle"] == handle
    )


def problems_of(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(p.scope, p.subject, p.field, p.message) for p in validate(graph_from_dict(document))]


def assert_problem(document, scope: str, subject: str, field: str, fragment: str) -> None:
    found = problems_of(document)
    assert any((s, i, f) == (scope, subject, field) and fragment in m for s, i, f, m in found), (
        f"expected {scope} {subject}: {field}: ...{fragment}... in {found}"
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_is_valid(path: Path):
    assert problems_of(json.loads(path.read_text())) == []


def mutate(name: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(example(name))
    change(document)
    return document


# (example, change, expected (scope, subject, field, fragment of the message))
BROKEN_VARIANTS = {
    "run timeout not a duration": (
        "hello_activity",
        lambda d: d["workflow"].update(run_timeout="an hour"),
        ("workflow", "hello_activity", "run_timeout", "is not a duration"),
    ),
    "no start": (
        "hello_activity",
        lambda d: d["nodes"].remove(node(d, "start")) or d["edges"].pop(0),
        ("graph", "", "nodes", "exactly one start node (found none)"),
    ),
    "two starts": (
        "hello_activity",
        lambda d: d["nodes"].append({"id": "start2", "type": "start"}),
        ("graph", "", "nodes", "exactly one start node (found start, start2)"),
    ),
    "unreachable node": (
        "hello_activity",
        lambda d: d["nodes"].append({"id": "lonely", "type": "end"}),
        ("node", "lonely", "edges", "no path from the start node reaches this node"),
    ),
    "dead end": (
        "hello_activity",
        lambda d: (
            d["nodes"].append(
                {"id": "stuck", "type": "set_variable", "params": {"name": "x", "expression": "1"}}
            ),
            edge(d, "greet").update(target="stuck"),
        ),
        ("node", "stuck", "edges", "no path from this node reaches an end node"),
    ),
    "edge to a missing node": (
        "hello_activity",
        lambda d: edge(d, "greet").update(target="ghost"),
        ("edge", "e2", "target", "there is no node 'ghost'"),
    ),
    "local step on another task queue": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(local=True, task_queue="elsewhere"),
        ("node", "greet", "local", "not on a task queue"),
    ),
    "local step of an activity that heartbeats": (
        "http_fetch_condition",
        lambda d: node(d, "fetch")["params"].update(local=True),
        ("node", "fetch", "local", "cannot run as a local activity"),
    ),
    "heartbeat timeout of an activity that does not heartbeat": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(heartbeat_timeout="10s"),
        ("node", "greet", "heartbeat_timeout", "does not report progress"),
    ),
    "handle the kind lacks": (
        "hello_activity",
        lambda d: edge(d, "greet").update(handle="true"),
        ("edge", "e2", "handle", "no 'true' output"),
    ),
    "two edges on one output": (
        "hello_activity",
        lambda d: d["edges"].append(
            {"id": "e9", "source": "start", "target": "end", "handle": "next"}
        ),
        ("edge", "e9", "handle", "already has an edge on its 'next' output"),
    ),
    "edge out of an end": (
        "hello_activity",
        lambda d: d["edges"].append(
            {"id": "e9", "source": "end", "target": "greet", "handle": "next"}
        ),
        ("edge", "e9", "handle", "it ends the workflow"),
    ),
    "edge into start": (
        "hello_activity",
        lambda d: d["edges"].append(
            {"id": "e9", "source": "greet", "target": "start", "handle": "error"}
        ),
        ("edge", "e9", "target", "no edge may lead into the start node"),
    ),
    "condition missing a branch": (
        "http_fetch_condition",
        lambda d: d["edges"].remove(edge(d, "ok", "false")),
        ("node", "ok", "edges.false", "connect the 'false' output"),
    ),
    "cycle outside a loop": (
        "http_fetch_condition",
        lambda d: edge(d, "found").update(target="fetch"),
        ("edge", "e5", "target", "closes a cycle"),
    ),
    "duplicate node id": (
        "hello_activity",
        lambda d: d["nodes"].append(dict(node(d, "end"))),
        ("node", "end", "id", "used by more than one node"),
    ),
    "duplicate edge id": (
        "http_fetch_condition",
        lambda d: edge(d, "found").update(id="e1"),
        ("edge", "e1", "id", "used by more than one edge"),
    ),
    "bad id characters": (
        "hello_activity",
        lambda d: d["nodes"].append({"id": "has space", "type": "end"}),
        ("node", "has space", "id", "an id has only letters"),
    ),
    "unknown node type": (
        "hello_activity",
        lambda d: node(d, "greet").update(type="teleport"),
        ("node", "greet", "type", "unknown node type 'teleport'"),
    ),
    "zero duration": (
        "query_variables",
        lambda d: node(d, "pause")["params"].update(duration="0s"),
        ("node", "pause", "duration", "must be longer than zero"),
    ),
    "unreadable duration": (
        "retry_error_branch",
        lambda d: node(d, "call")["params"].update(start_to_close_timeout="soon"),
        ("node", "call", "start_to_close_timeout", "is not a duration"),
    ),
    "zero attempts": (
        "retry_error_branch",
        lambda d: node(d, "call")["params"]["retry"].update(max_attempts=0),
        ("node", "call", "retry.max_attempts", "must be 1 or more"),
    ),
    "unknown param": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(colour="blue"),
        ("node", "greet", "colour", "'colour' is not a known setting here"),
    ),
    "lambda in an expression": (
        "http_fetch_condition",
        lambda d: node(d, "ok")["params"].update(expression="lambda: True"),
        ("node", "ok", "expression", "lambda"),
    ),
    "power bomb": (
        "http_fetch_condition",
        lambda d: node(d, "ok")["params"].update(expression="9**9**9 > 1"),
        ("node", "ok", "expression", "power with a large exponent"),
    ),
    "dunder attribute in an argument": (
        "hello_activity",
        lambda d: node(d, "greet")["params"]["args"].update(value={"expr": "input.__class__"}),
        ("node", "greet", "args.value", "dunder"),
    ),
    "unknown variable": (
        "hello_activity",
        lambda d: node(d, "end")["params"].update(result="greting"),
        ("node", "end", "result", "no node defines a variable 'greting'"),
    ),
    "variable set on one path only": (
        "http_fetch_condition",
        lambda d: node(d, "missing")["params"].update(name="other"),
        ("node", "end", "result", "variable 'summary' may not be set on every path"),
    ),
    "variable of a loop body used after it": (
        "foreach_loop",
        lambda d: node(d, "end")["params"].update(result="shouted"),
        ("node", "end", "result", "may not be set on every path"),
    ),
    "unknown input field": (
        "hello_activity",
        lambda d: node(d, "greet")["params"]["args"].update(value={"expr": "input.nmae"}),
        ("node", "greet", "args.value", "the input has no field 'nmae'"),
    ),
    "unknown activity": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(activity="send_fax"),
        ("node", "greet", "activity", "unknown activity 'send_fax'"),
    ),
    "unknown activity argument": (
        "hello_activity",
        lambda d: node(d, "greet")["params"]["args"].update(volume=11),
        ("node", "greet", "args.volume", "has no parameter 'volume'"),
    ),
    "missing required activity argument": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(args={}),
        ("node", "greet", "args.value", "this argument is required"),
    ),
    "literal argument of the wrong type": (
        "retry_error_branch",
        lambda d: node(d, "call")["params"]["args"].update(non_retryable="yes"),
        ("node", "call", "args.non_retryable", "expected a value of type boolean"),
    ),
    "undeclared signal": (
        "approval_signal",
        lambda d: node(d, "wait")["params"].update(signal="approv"),
        ("node", "wait", "signal", "signal 'approv' is not declared"),
    ),
    "signal name not an identifier": (
        "approval_signal",
        lambda d: d["workflow"]["signals"][0].update(name="ap prove"),
        ("workflow", "approval_signal", "signals[0].name", "is not allowed: a name starts"),
    ),
    "query named like the built-in": (
        "approval_signal",
        lambda d: d["workflow"]["queries"][0].update(name="state"),
        ("workflow", "approval_signal", "queries[0].name", "'state' is built in"),
    ),
    "two queries with one name": (
        "query_variables",
        lambda d: d["workflow"]["queries"][1].update(name="progress"),
        ("workflow", "query_variables", "queries[1].name", "declared twice"),
    ),
    "query over an unknown variable": (
        "query_variables",
        lambda d: d["workflow"]["queries"][0].update(expression="procesed"),
        ("workflow", "query_variables", "queries[0].expression", "no node defines"),
    ),
    "bad workflow name": (
        "hello_activity",
        lambda d: d["workflow"].update(name="Hello World"),
        ("workflow", "Hello World", "name", "not a valid workflow name"),
    ),
    "single branch parallel": (
        "parallel_fanout",
        lambda d: [d["edges"].remove(edge(d, "fan", "branch")) for _ in range(2)],
        ("node", "fan", "edges.branch", "two or more branches"),
    ),
    "branches that never meet": (
        "parallel_fanout",
        lambda d: edge(d, "length").update(target="end"),
        ("node", "fan", "edges.branch", "must all meet at one join"),
    ),
    "loop body that never comes back": (
        "foreach_loop",
        lambda d: edge(d, "shout").update(target="end"),
        ("node", "each", "edges.body", "never comes back"),
    ),
    "reserved variable name": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(result_variable="input"),
        ("node", "greet", "params", "the name 'input' is reserved"),
    ),
    "keyword as a variable name": (
        "hello_activity",
        lambda d: node(d, "greet")["params"].update(result_variable="class"),
        ("node", "greet", "result_variable", "Python keyword"),
    ),
    "switch case named like a handle": (
        "hello_activity",
        lambda d: node(d, "greet").update(
            type="switch", params={"expression": "1", "cases": ["error"]}
        ),
        ("node", "greet", "params", "reserved for a handle"),
    ),
    "cron trigger without an expression": (
        "scheduled_report",
        lambda d: node(d, "start")["params"]["trigger"].update(cron=None),
        ("node", "start", "trigger", "needs a cron expression"),
    ),
    "cron trigger with a required input field that has no default": (
        "scheduled_report",
        lambda d: node(d, "start")["params"]["input_fields"][0].update(required=True, default=None),
        ("node", "start", "trigger", "input field(s) 'team' need a default"),
    ),
    "input default of the wrong type": (
        "query_variables",
        lambda d: node(d, "start")["params"]["input_fields"][1].update(default="fast"),
        ("node", "start", "input_fields[1]", "must be of type number"),
    ),
}


@pytest.mark.parametrize("case", BROKEN_VARIANTS, ids=str)
def test_broken_variant_is_reported_on_the_right_node(case: str):
    name, change, expected = BROKEN_VARIANTS[case]
    assert_problem(mutate(name, change), *expected)


def test_several_problems_are_reported_together():
    def break_three_ways(d):
        node(d, "missing")["params"].update(expression="import os")
        node(d, "fetch")["params"].update(activity="nope")
        d["edges"].remove(edge(d, "ok", "true"))

    found = problems_of(mutate("http_fetch_condition", break_three_ways))
    subjects = {(scope, subject, field) for scope, subject, field, _ in found}
    assert ("node", "missing", "expression") in subjects
    assert ("node", "fetch", "activity") in subjects
    assert ("node", "ok", "edges.true") in subjects
    assert ("node", "found", "edges") in subjects  # now unreachable


def test_switch_cases_are_its_handles():
    document = {
        "format": "workflow-builder/1",
        "workflow": {"name": "tiers"},
        "nodes": [
            {"id": "s", "type": "start", "params": {"input_fields": [{"name": "tier"}]}},
            {
                "id": "sw",
                "type": "switch",
                "params": {"expression": "input.tier", "cases": ["gold", 2]},
            },
            {"id": "end", "type": "end"},
        ],
        "edges": [
            {"id": "e1", "source": "s", "target": "sw"},
            {"id": "e2", "source": "sw", "target": "end", "handle": "gold"},
            {"id": "e3", "source": "sw", "target": "end", "handle": "2"},
        ],
    }
    assert problems_of(document) == [
        ("node", "sw", "edges.default", "connect the 'default' output")
    ]
    document["edges"].append({"id": "e4", "source": "sw", "target": "end", "handle": "default"})
    assert problems_of(document) == []


def test_variables_from_every_parallel_branch_are_set_after_the_join():
    assert problems_of(example("parallel_fanout")) == []


def test_error_variable_only_on_the_error_path():
    def use_failure_on_success_path(d):
        node(d, "success")["params"].update(expression="failure")

    assert_problem(
        mutate("retry_error_branch", use_failure_on_success_path),
        "node",
        "success",
        "expression",
        "may not be set on every path",
    )


def test_signal_payload_is_not_set_on_the_timeout_path():
    def use_decision_after_timeout(d):
        node(d, "timed_out")["params"].update(expression="decision.by")

    assert_problem(
        mutate("approval_signal", use_decision_after_timeout),
        "node",
        "timed_out",
        "expression",
        "may not be set on every path",
    )


def test_check_raises_with_every_problem():
    document = mutate("hello_activity", lambda d: d["workflow"].update(name="Bad"))
    with pytest.raises(GraphInvalidError) as caught:
        check(graph_from_dict(document))
    assert [str(p) for p in caught.value.problems] == [
        "workflow Bad: name: 'Bad' is not a valid workflow name: a workflow name starts with a "
        "lowercase letter and has only lowercase letters, digits and _, at most 63 characters "
        "(like order_approval)"
    ]


def test_check_gives_typed_params():
    checked = check(graph_from_dict(example("retry_error_branch")))
    assert checked.params["call"].retry.max_attempts == 3
    assert checked.flow is not None


def test_switch_cases_that_compare_equal_are_refused():
    document = mutate(
        "hello_activity",
        lambda d: node(d, "greet").update(
            type="switch", params={"expression": "1", "cases": [1, True]}
        ),
    )
    assert_problem(document, "node", "greet", "params", "cases 1 and True are equal")
