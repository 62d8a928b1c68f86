"""Property: whatever validation accepts compiles and loads; whatever it refuses, it says why.

Documents are valid structured graphs with hostile mutations: text fields replaced by text
that breaks names and encodings, edges added, removed or redirected, node types swapped. The
short form runs in every test run; ``-m fuzz`` runs the long form (10,000 examples).
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.activities import builtin_registry
from core.codegen.naming import LocalNames
from core.compiler import compile_graph
from core.compiler.structure import StructuredEmitter
from core.errors import GraphFormatError
from core.graph import graph_from_dict
from core.graph.emission import MAX_EXPANSION, emission
from core.nodes.catalog import CATALOG
from core.runtime import BundleStore, load_bundle
from core.validation import GraphInvalidError, check, validate
from tests.unit.graph_strategies import structured_graphs

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "x\n",
        "generated\n",
        "n1\n",
        "\ud800",
        "label \udfff",
        "a" * 65,
        "q" * 1001,
        "é" * 501,
        "/_sys/queue",
        "tab\tqueue",
        "Order",
        "1abc",
        "__class__",
        "input",
        "state",
        "'); import os #",
        "{{x}}",
        "\x00",
    ]
) | st.text(alphabet=st.characters(codec=None, categories=None), max_size=12)

HANDLES = st.sampled_from(
    ["next", "true", "false", "error", "body", "done", "branch", "default", "timeout", "c0"]
)


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _string_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _string_paths(item, (*path, index))]
    return []


def _set(document: dict, path: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@st.composite
def hostile_documents(draw: st.DrawFn) -> dict:
    document = copy.deepcopy(draw(structured_graphs()))
    document["workflow"].setdefault("task_queue", "work")
    for _ in range(draw(st.integers(0, 2))):
        nodes, edges = document["nodes"], document["edges"]
        mutation = draw(
            st.sampled_from(["text", "text", "text", "add_edge", "drop_edge", "retarget", "type"])
        )
        if mutation == "text":
            path = draw(st.sampled_from(_string_paths(document)))
            _set(document, path, draw(HOSTILE_TEXT))
        elif mutation == "add_edge":
            source, target = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            edges.append(
                {
                    "id": f"x{len(edges)}",
                    "source": source["id"],
                    "target": target["id"],
                    "handle": draw(HANDLES),
                }
            )
        elif mutation == "drop_edge" and edges:
            edges.pop(draw(st.integers(0, len(edges) - 1)))
        elif mutation == "retarget" and edges:
            edge = draw(st.sampled_from(edges))
            edge["target"] = draw(st.sampled_from(nodes))["id"]
        elif mutation == "type":
            draw(st.sampled_from(nodes))["type"] = draw(st.sampled_from(sorted(CATALOG)))
    return document


def _accepted_means_loadable(document: dict, root: Path) -> None:
    try:
        graph = graph_from_dict(document)
    except GraphFormatError as error:
        assert str(error)  # the reader refuses with a message
        return
    problems = validate(graph)
    for problem in problems:
        # Every refusal says what and where, and can be shown and stored (UTF-8).
        assert problem.message and problem.field
        str(problem).encode("utf-8")
    if problems:
        return
    bundle = compile_graph(graph)
    for text in bundle.files.values():
        text.encode("utf-8")
    loaded = load_bundle(BundleStore(root).write(bundle))
    assert loaded.workflow_type == graph.workflow.name


_COUNTER = itertools.count()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=hostile_documents())
def test_what_validation_accepts_compiles_and_loads(document: dict, tmp_path: Path) -> None:
    _accepted_means_loadable(document, tmp_path / f"b{next(_COUNTER)}")


@pytest.mark.fuzz
@pytest.mark.timeout(3600)
@settings(
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=hostile_documents())
def test_what_validation_accepts_compiles_and_loads_long(document: dict, tmp_path: Path) -> None:
    _accepted_means_loadable(document, tmp_path / f"b{next(_COUNTER)}")


def _ladder(conditions: int) -> dict:
    """Conditions whose false branch skips the next one: paths meet only at the end."""
    nodes: list[dict[str, Any]] = [
        {"id": "start", "type": "start", "params": {"input_fields": []}},
        {"id": "end", "type": "end", "params": {}},
    ]
    ids = [f"c{i}" for i in range(conditions)] + ["end", "end"]
    edges = [{"id": "e_start", "source": "start", "target": ids[0]}]
    for i in range(conditions):
        nodes.append({"id": ids[i], "type": "condition", "params": {"expression": "True"}})
        edges.append({"id": f"t{i}", "source": ids[i], "target": ids[i + 1], "handle": "true"})
        edges.append({"id": f"f{i}", "source": ids[i], "target": ids[i + 2], "handle": "false"})
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": "ladder"},
        "nodes": nodes,
        "edges": edges,
    }


def test_path_explosion_is_refused_by_validation_naming_a_node() -> None:
    problems = validate(graph_from_dict(_ladder(40)))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.scope == "node" and problem.field == "edges"
    assert "times" in problem.message and "join earlier" in problem.message


@pytest.mark.parametrize("conditions", [1, 3, 6, 9])
def test_counted_copies_equal_what_the_compiler_emits(conditions: int) -> None:
    _assert_count_matches(_ladder(conditions))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured_graphs())
def test_counted_copies_equal_what_the_compiler_emits_for_structured_graphs(document: dict) -> None:
    _assert_count_matches(document)


def _assert_count_matches(document: dict) -> None:
    try:
        checked = check(graph_from_dict(document))
    except GraphInvalidError as error:
        pytest.fail(f"the fixture graph is invalid: {error}")
    assert checked.flow is not None
    emitter = StructuredEmitter(
        checked, registry=builtin_registry(), children={}, names=LocalNames()
    )
    emitter.run_body()
    roles = {node.id: CATALOG[node.type].role for node in checked.graph.nodes}
    start = next(node_id for node_id, role in roles.items() if role == "start")
    walked = emission(checked.flow, roles, start)
    assert not walked.jumps
    assert sum(walked.copies.values()) == emitter.emitted
    assert emitter.emitted <= MAX_EXPANSION * len(checked.graph.nodes)


def test_a_jump_into_another_loops_body_is_refused_by_validation() -> None:
    # Found by the long fuzz mode: validation accepted it and the compiler refused it.
    loop = {"items": "input.items", "max_iterations": 10}
    document = {
        "format": "workflow-builder/1",
        "workflow": {"name": "jumpy"},
        "nodes": [
            {
                "id": "start",
                "type": "start",
                "params": {"input_fields": [{"name": "items", "type": "array", "default": [1, 2]}]},
            },
            {"id": "first", "type": "loop", "params": {**loop, "item_variable": "a"}},
            {"id": "check", "type": "condition", "params": {"expression": "a > 1"}},
            {"id": "second", "type": "loop", "params": {**loop, "item_variable": "b"}},
            {"id": "pause", "type": "timer", "params": {"duration": "1s"}},
            {"id": "end", "type": "end", "params": {}},
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "first"},
            {"id": "e2", "source": "first", "target": "check", "handle": "body"},
            {"id": "e3", "source": "check", "target": "first", "handle": "false"},
            {"id": "e4", "source": "check", "target": "pause", "handle": "true"},
            {"id": "e5", "source": "first", "target": "second", "handle": "done"},
            {"id": "e6", "source": "second", "target": "pause", "handle": "body"},
            {"id": "e7", "source": "pause", "target": "second"},
            {"id": "e8", "source": "second", "target": "end", "handle": "done"},
        ],
    }
    problems = validate(graph_from_dict(document))
    assert [(p.subject, p.field) for p in problems] == [("second", "edges")], problems
    assert "jumps here from inside a nested structure" in problems[0].message
