"""Loading and exporting workflow-builder/1 documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import GraphFormatError
from core.graph import (
    dump_graph,
    graph_from_dict,
    graph_to_dict,
    input_fields_from_json,
    load_graph,
)

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


def minimal(**overrides):
    document = {"format": "workflow-builder/1", "workflow": {"name": "w"}, "nodes": [], "edges": []}
    document.update(overrides)
    return document


def test_there_are_nine_examples():
    assert len(EXAMPLES) >= 9


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_byte_for_byte(path: Path):
    text = path.read_text(encoding="utf-8")
    assert dump_graph(load_graph(text)) == text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_export_is_the_same_json(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert graph_to_dict(graph_from_dict(data)) == data


def test_loaded_values_are_immutable():
    graph = load_graph(EXAMPLES[0].read_text())
    with pytest.raises(AttributeError):
        graph.nodes[0].id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        graph.nodes[0].params["new"] = 1  # type: ignore[index]


def test_optional_fields_get_defaults_and_export_complete():
    graph = graph_from_dict(
        minimal(
            nodes=[{"id": "s", "type": "start"}],
            edges=[{"id": "e", "source": "s", "target": "t"}],
        )
    )
    assert graph.edges[0].handle == "next"
    exported = graph_to_dict(graph)
    assert exported["nodes"][0] == {
        "id": "s",
        "type": "start",
        "label": "",
        "params": {},
        "position": {"x": 0, "y": 0},
    }
    assert exported["workflow"]["signals"] == []


def test_run_timeout_round_trips_and_is_exported_only_when_set():
    without = graph_to_dict(graph_from_dict(minimal()))
    assert "run_timeout" not in without["workflow"]  # exports (and hashes) as before
    document = minimal(workflow={"name": "w", "run_timeout": "1h30m"})
    graph = graph_from_dict(document)
    assert graph.workflow.run_timeout == "1h30m"
    assert graph_to_dict(graph)["workflow"]["run_timeout"] == "1h30m"
    assert graph_from_dict(graph_to_dict(graph)) == graph


def test_integer_positions_stay_integers():
    graph = graph_from_dict(
        minimal(nodes=[{"id": "s", "type": "start", "position": {"x": 3, "y": 4.5}}])
    )
    assert graph_to_dict(graph)["nodes"][0]["position"] == {"x": 3, "y": 4.5}
    assert '"x": 3,' in dump_graph(graph)


def test_malformed_json_names_line_and_column():
    with pytest.raises(GraphFormatError) as caught:
        load_graph('{\n  "format": "workflow-builder/1",\n  "workflow": {\n}')
    ((where, reason),) = caught.value.problems
    assert where.startswith("line 4, column")
    assert "malformed JSON" in reason


def test_wrong_format_version_is_named():
    with pytest.raises(GraphFormatError) as caught:
        load_graph(json.dumps(minimal(format="workflow-builder/2")))
    assert "workflow-builder/2" in str(caught.value)
    with pytest.raises(GraphFormatError, match="no format field"):
        load_graph('{"workflow": {"name": "w"}}')


def test_not_an_object():
    with pytest.raises(GraphFormatError, match="JSON object"):
        load_graph("[1, 2]")


def test_not_utf8():
    with pytest.raises(GraphFormatError, match="UTF-8"):
        load_graph(b'{"format": "\xff"}')


def test_shape_errors_are_all_reported_with_the_node_id():
    document = minimal(
        nodes=[{"id": "greet", "type": "activity", "params": 3, "taret": "x"}],
        edges=[{"id": "e1", "source": "greet", "target": 5}],
    )
    with pytest.raises(GraphFormatError) as caught:
        graph_from_dict(document)
    wheres = [where for where, _ in caught.value.problems]
    assert wheres == [
        "node 'greet' (nodes[0]).params",
        "node 'greet' (nodes[0]).taret",
        "edge 'e1' (edges[0]).target",
    ]


def test_input_fields_from_frozen_params_give_plain_json_defaults():
    graph = graph_from_dict(
        minimal(
            nodes=[
                {
                    "id": "s",
                    "type": "start",
                    "params": {
                        "input_fields": [{"name": "opts", "type": "object", "default": {"a": [1]}}]
                    },
                }
            ]
        )
    )
    (field,) = input_fields_from_json(graph.nodes[0].params["input_fields"])
    assert (field.name, field.type, field.required, field.default) == (
        "opts",
        "object",
        False,
        {"a": [1]},
    )
    assert json.dumps(field.default) == '{"a": [1]}'  # forms show defaults as JSON text
