"""The full graph JSON Schema: the committed copy is current, examples pass, broken graphs fail."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from core.nodes.catalog import CATALOG
from core.nodes.schema import full_graph_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "docs" / "graph-format.schema.json"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def hello() -> dict[str, Any]:
    return json.loads((ROOT / "examples" / "hello_activity.json").read_text(encoding="utf-8"))


def error_paths(validator: Draft202012Validator, document: dict[str, Any]) -> list[str]:
    return [
        "/".join(str(part) for part in e.absolute_path) for e in validator.iter_errors(document)
    ]


def test_committed_schema_is_current():
    expected = json.dumps(full_graph_schema(), indent=2, sort_keys=True) + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected, (
        "docs/graph-format.schema.json is stale; regenerate it with "
        "`.venv/bin/python -m core.nodes.schema > docs/graph-format.schema.json`"
    )


def test_schema_is_a_valid_draft_2020_12_schema():
    schema = full_graph_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_every_node_kind_has_a_params_rule():
    rules = full_graph_schema()["$defs"]["NodeDoc"]["allOf"]
    assert [rule["if"]["properties"]["type"]["const"] for rule in rules] == list(CATALOG)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate(validator: Draft202012Validator, path: Path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert error_paths(validator, document) == []


def test_unknown_node_param_is_rejected(validator, hello):
    document = copy.deepcopy(hello)
    document["nodes"][1]["params"]["retries"] = 5
    assert error_paths(validator, document) == ["nodes/1/params"]


def test_wrong_type_of_max_attempts_is_rejected(validator, hello):
    document = copy.deepcopy(hello)
    document["nodes"][1]["params"]["retry"] = {"max_attempts": "3"}
    assert error_paths(validator, document) == ["nodes/1/params/retry/max_attempts"]


def test_max_attempts_out_of_range_is_rejected(validator, hello):
    document = copy.deepcopy(hello)
    document["nodes"][1]["params"]["retry"] = {"max_attempts": 0}
    assert error_paths(validator, document) == ["nodes/1/params/retry/max_attempts"]


def test_missing_workflow_name_is_rejected(validator, hello):
    document = copy.deepcopy(hello)
    del document["workflow"]["name"]
    assert error_paths(validator, document) == ["workflow"]


def test_unknown_node_type_is_rejected(validator, hello):
    document = copy.deepcopy(hello)
    document["nodes"][1]["type"] = "activty"
    assert error_paths(validator, document) == ["nodes/1/type"]


def test_missing_params_of_a_kind_that_requires_some_are_rejected(validator, hello):
    document = copy.deepcopy(hello)
    del document["nodes"][1]["params"]
    assert error_paths(validator, document) == ["nodes/1"]


def test_params_are_checked_against_their_own_kind(validator, hello):
    # Activity params on a condition node: valid for one kind, wrong for the other.
    document = copy.deepcopy(hello)
    document["nodes"][1]["type"] = "condition"
    assert "nodes/1/params" in error_paths(validator, document)


def test_kinds_without_params_accept_none(validator, hello):
    document = copy.deepcopy(hello)
    document["nodes"][1] = {"id": "fan", "type": "parallel"}
    assert error_paths(validator, document) == []
