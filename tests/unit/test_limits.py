"""Input limits: the bounded JSON reader and value checks name the limit and the JSON path."""

from __future__ import annotations

import json

import pytest

from core.errors import GraphFormatError, WorkflowBuilderError
from core.graph import graph_from_dict, load_graph
from core.limits import (
    LIMITS,
    GraphLimitError,
    InputLimitError,
    InputLimits,
    check_payload,
    check_value,
    read_file,
    read_json,
)

DEEP = '{"a":' * 10_000 + "1" + "}" * 10_000


@pytest.mark.parametrize(
    ("text", "limit", "where"),
    [
        (DEEP, "nesting depth", "input.a.a.a.a.<56 levels>.a.a.a.a (line 1, column 321)"),
        ('{"x": [' + "[" * 100 + "]" * 100 + "]}", "nesting depth", "input.x[0][0][0]."),
        ('{"n": ' + "9" * 5_001 + "}", "integer size", "input, line 1, column 7"),
        ('{"n": [1, ' + "9" * 1_500 + "]}", "integer size", "input.n[1]"),
        ('{"n": NaN}', "number", "input"),
        ('{"n": [1e999]}', "number", "input.n[0]"),
        ('{"s": "a\\ud800b"}', "unicode text", "input.s"),
        (json.dumps({"t": "x" * (LIMITS.max_text_chars + 1)}), "text size", "input.t"),
        ('{"odd key": {"k": [-Infinity]}}', "number", "input"),
        ('{"odd key": [[1e999]]}', "number", 'input["odd key"][0][0]'),
    ],
)
def test_read_json_names_the_limit_and_where(text, limit, where):
    with pytest.raises(InputLimitError) as caught:
        read_json(text, where="input")
    assert caught.value.limit == limit
    assert caught.value.where.startswith(where)
    assert str(caught.value).startswith(f"{caught.value.where}: ")
    assert isinstance(caught.value, WorkflowBuilderError)


def test_read_json_accepts_what_is_within_the_limits():
    text = json.dumps({"a": [1, 2.5, "é", None, True, {"b": []}], "n": int("9" * 1_000)})
    assert read_json(text, where="input") == json.loads(text)
    nested = "[" * LIMITS.max_depth + "]" * LIMITS.max_depth
    assert read_json(nested, where="input") is not None


def test_read_json_leaves_malformed_json_to_its_caller():
    with pytest.raises(json.JSONDecodeError):
        read_json('{"a": }', where="input")


def test_a_text_longer_than_any_document_is_refused_before_parsing():
    limits = InputLimits(max_document_bytes=10)
    with pytest.raises(InputLimitError, match="11 bytes long; at most 10") as caught:
        read_json('{"a": "xx"}', where="input", limits=limits)
    assert caught.value.limit == "document size"


@pytest.mark.parametrize(
    ("value", "where", "reason"),
    [
        ({1: 2}, "input", "the key 1 is not text"),
        ({"a": {1, 2}}, "input.a", "a set is not JSON data"),
        ({"a": [b"x"]}, "input.a[0]", "a bytes is not JSON data"),
        ({"a": float("nan")}, "input.a", "nan is not a finite number"),
    ],
)
def test_check_value_refuses_what_is_not_json_data(value, where, reason):
    with pytest.raises(InputLimitError) as caught:
        check_value(value, where="input")
    assert (caught.value.where, caught.value.reason) == (where, reason)


def test_check_value_walks_any_depth_without_recursion():
    value: list = []
    for _ in range(100_000):
        value = [value]
    with pytest.raises(InputLimitError, match="nested more than 64"):
        check_value(value, where="input")


def test_check_payload_measures_as_temporal_encodes():
    # Non-ASCII text is sent as \\u escapes: six bytes a character.
    small = InputLimits(max_payload_bytes=100)
    assert check_payload({"s": "é" * 10}, where="input", limits=small) == len('{"s":""}') + 60
    with pytest.raises(InputLimitError, match="at most 100 may be sent") as caught:
        check_payload({"s": "é" * 20}, where="signal 'go' payload", limits=small)
    assert (caught.value.limit, caught.value.where) == ("payload size", "signal 'go' payload")


def test_the_payload_limit_leaves_headroom_below_temporals():
    assert LIMITS.max_payload_bytes <= 0.8 * 2 * 1024 * 1024


def _document(**workflow: object) -> dict:
    return {"format": "workflow-builder/1", "workflow": {"name": "w", **workflow}}


def test_a_deep_graph_file_is_a_format_error_with_its_limit():
    text = '{"format": "workflow-builder/1", "workflow": {"name": "w"}, "nodes": [{"id": "a",'
    text += ' "type": "start", "params": {"v": ' + "[" * 10_000 + "]" * 10_000 + "}}]}"
    with pytest.raises(GraphFormatError) as caught:
        load_graph(text)
    assert isinstance(caught.value, InputLimitError)
    ((where, reason),) = caught.value.problems
    assert where.startswith("nodes[0].params.v")
    assert reason == "nested more than 64 objects or arrays deep"


def test_graph_from_dict_holds_parsed_documents_to_the_limits():
    document = _document(description="x\ud800")
    with pytest.raises(GraphLimitError) as caught:
        graph_from_dict(document)
    assert caught.value.problems == (
        (
            "workflow.description",
            "holds a lone surrogate ('\\ud800') at character 1, which is not Unicode text",
        ),
    )


def test_node_count_is_bounded():
    nodes = [{"id": f"n{i}", "type": "end"} for i in range(LIMITS.max_nodes + 1)]
    with pytest.raises(GraphLimitError) as caught:
        graph_from_dict({**_document(), "nodes": nodes})
    assert caught.value.limit == "node count"
    assert caught.value.where == "nodes"
    assert "10,001 nodes; a graph may have at most 10,000" in str(caught.value)


def test_a_huge_file_is_read_no_further_than_the_limit(tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(LIMITS.max_document_bytes * 4)  # sparse: no disk used
    assert len(read_file(path)) == LIMITS.max_document_bytes + 1
    with pytest.raises(GraphLimitError, match="16,777,217 bytes long; at most 16,777,216"):
        load_graph(read_file(path))
