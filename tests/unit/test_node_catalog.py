"""The catalog's shape: each kind in its own module named for its type, owning its params
model, emitter and inspector hints; no kind module left out of the catalog."""

from __future__ import annotations

from pathlib import Path

from core.nodes.catalog import CATALOG, child_workflow
from core.nodes.kind import NodeKind, Params

KINDS_DIR = Path(__file__).resolve().parents[2] / "core" / "nodes" / "kinds"


def test_every_kind_lives_in_the_module_named_for_its_type():
    for node_type, kind in CATALOG.items():
        assert kind.type == node_type
        assert type(kind).__module__ == f"core.nodes.kinds.{node_type}", node_type


def test_every_kind_module_is_in_the_catalog():
    modules = {path.stem for path in KINDS_DIR.glob("*.py")} - {"__init__"}
    assert modules == set(CATALOG)


def test_every_kind_defines_its_own_emitter_hints_and_params_model():
    for kind in CATALOG.values():
        assert type(kind).emit is not NodeKind.emit, kind.type
        assert "hints" in type(kind).__dict__, kind.type
        assert issubclass(kind.params_model, Params), kind.type
        # A params model shared with another kind lives in the lower module (kind.EmptyParams).
        module = kind.params_model.__module__
        assert module in (type(kind).__module__, "core.nodes.kind"), (kind.type, module)


def test_a_child_workflow_is_named_by_the_param_its_kind_declares():
    starting = {t for t, kind in CATALOG.items() if kind.child_workflow_param is not None}
    assert starting == {"child_workflow"}
    assert child_workflow("child_workflow", {"workflow": "billing", "input": {}}) == "billing"
    # A draft's params may be anything: no name is found where none is given as text.
    assert child_workflow("child_workflow", {"workflow": 3}) is None
    assert child_workflow("child_workflow", {}) is None
    assert child_workflow("activity", {"workflow": "billing"}) is None
    assert child_workflow("no_such_kind", {"workflow": "billing"}) is None
    assert child_workflow(None, {"workflow": "billing"}) is None
