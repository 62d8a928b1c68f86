"""Importing graphs and checking drafts: parsed once, held to the input limits, checks cached."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.activities import builtin_registry
from core.config import REPO_ROOT
from core.db import Database
from core.errors import GraphFormatError
from core.graph import dump_graph, load_graph
from core.limits import InputLimitError
from core.services import workflows as workflows_module
from core.services.workflows import ChildPreview, WorkflowService

HELLO = (REPO_ROOT / "examples" / "hello_activity.json").read_text()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[WorkflowService]:
    database = Database.open(f"sqlite:///{tmp_path / 'app.db'}")
    yield WorkflowService(database, builtin_registry())
    database.close()


def test_import_stores_the_canonical_document(service):
    record = service.import_document(HELLO.encode(), name="hello_copy")
    draft = service.get(record.id).draft_graph
    assert draft["workflow"]["name"] == "hello_copy"
    expected = json.loads(dump_graph(load_graph(HELLO)))
    expected["workflow"]["name"] = "hello_copy"
    assert draft == expected


def test_a_graph_over_a_limit_is_refused_and_nothing_is_saved(service):
    document = json.loads(HELLO)
    document["nodes"][0]["params"]["deep"] = "@"
    text = json.dumps(document).replace('"@"', "[" * 5_000 + "]" * 5_000)
    with pytest.raises(GraphFormatError) as caught:
        service.import_document(text)
    assert isinstance(caught.value, InputLimitError)
    assert caught.value.where.startswith("nodes[0].params.deep")
    assert service.list() == []


def test_checks_are_reused_while_the_draft_is_unchanged(service, monkeypatch):
    calls = []
    real = workflows_module.validate

    def counting(graph, **kwargs):
        calls.append(graph.workflow.name)
        return real(graph, **kwargs)

    monkeypatch.setattr(workflows_module, "validate", counting)
    document = json.loads(HELLO)
    first = service.check(document)
    assert service.check(json.loads(HELLO)) is first  # same content, another object
    assert calls == ["hello_activity"]
    document["nodes"][1]["params"]["activity"] = "send_fax"
    changed = service.check(document)
    assert not changed.valid and len(calls) == 2
    assert service.check(json.loads(HELLO)) is first


def test_a_document_that_is_not_json_data_is_checked_without_the_cache(service):
    document = json.loads(HELLO)
    document["nodes"][0]["params"]["odd"] = {1, 2}
    outcome = service.check(document)
    assert isinstance(outcome.format_error, InputLimitError)
    assert "a set is not JSON data" in str(outcome.format_error)


def test_a_cached_format_error_holds_no_frames_of_the_document(service):
    outcome = service.check({"format": "workflow-builder/1", "workflow": {"name": 5}})
    assert outcome.format_error is not None and not outcome.valid
    error = outcome.format_error
    assert (error.__traceback__, error.__context__, error.__cause__) == (None, None, None)


def test_the_preview_names_each_workflow_a_draft_starts_as_a_child_once(service):
    document = json.loads((REPO_ROOT / "examples" / "child_workflow.json").read_text())
    (child,) = [node for node in document["nodes"] if node["type"] == "child_workflow"]
    document["nodes"] += [
        copy.deepcopy(child) | {"id": "again"},
        # A draft may hold anything: a name that is no text, a param of another kind.
        copy.deepcopy(child) | {"id": "unnamed", "params": {"workflow": 7}},
        {"id": "say", "type": "activity", "params": {"activity": "log", "workflow": "x"}},
    ]

    preview = service.preview_children(document)

    assert preview == ChildPreview(targets={}, undeployed=(child["params"]["workflow"],))
