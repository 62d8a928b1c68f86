"""The determinism gate: recorded example histories replay against freshly generated code."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from core.activities import builtin_registry
from core.compiler import DEFAULT_TASK_QUEUE
from core.deploy.errors import DeterminismError
from core.deploy.histories import RecordedHistories, load_recorded
from core.deploy.record_histories import SCENARIOS
from core.deploy.replay import check_replay
from core.examples import EXAMPLES_DIR
from core.nodes.kinds import activity, set_variable
from core.runtime import BundleStore, load_bundle
from core.runtime.runner import compile_family
from tests.kept_bundles import V3_HISTORIES, kept_v3_bundle

RECORDED = {item.example: item for item in load_recorded()}


def test_every_example_has_recorded_histories():
    examples = {path.stem for path in EXAMPLES_DIR.glob("*.json")}
    assert set(RECORDED) == examples == set(SCENARIOS)
    for example, recorded in RECORDED.items():
        assert len(recorded.histories) == len(SCENARIOS[example])
        assert recorded.source is not None


def replay(example: str, store: BundleStore) -> int:
    recorded = RECORDED[example]
    family = compile_family(
        EXAMPLES_DIR / f"{example}.json",
        registry=builtin_registry(),
        default_task_queue=DEFAULT_TASK_QUEUE,
    )
    loaded = load_bundle(store.write(family.main))
    return asyncio.run(
        check_replay(
            loaded,
            recorded.histories,
            workflow=example,
            source=family.main.files["workflow.py"],
            previous_source=recorded.source,
        )
    )


@pytest.mark.parametrize("example", sorted(RECORDED))
def test_recorded_histories_replay_against_fresh_code(example: str, tmp_path: Path):
    assert replay(example, BundleStore(tmp_path)) == len(RECORDED[example].histories)


@pytest.mark.parametrize("recorded", load_recorded(V3_HISTORIES), ids=lambda r: r.example)
def test_runs_of_compiler_3_replay_against_the_bundle_kept_from_it(
    recorded: RecordedHistories, tmp_path: Path
):
    # What the deploy gate does after a compiler upgrade: a version's runs replay against its
    # kept bundle (here of version 3, which called activities with positional arguments).
    bundle = kept_v3_bundle(recorded.example)
    loaded = load_bundle(BundleStore(tmp_path).write(bundle))
    source = bundle.files["workflow.py"]
    count = asyncio.run(
        check_replay(loaded, recorded.histories, workflow=recorded.example, source=source)
    )
    assert count == len(recorded.histories) > 0


def _renaming_activity_types(original):
    """A codegen ``activity`` that schedules ``<name>_renamed`` instead of ``<name>`` (a local
    activity or a regular one)."""
    calls = ("workflow.execute_activity", "workflow.execute_local_activity")

    def renamed(node, params, registry):
        stmt = original(node, params, registry)
        for item in ast.walk(stmt):
            if isinstance(item, ast.Call) and ast.unparse(item.func) in calls:
                item.args[0] = ast.Constant(item.args[0].value + "_renamed")
        return stmt

    return renamed


def test_gate_names_the_node_whose_activity_changed(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(
        activity, "call_statement", _renaming_activity_types(activity.call_statement)
    )
    with pytest.raises(DeterminismError) as info:
        replay("hello_activity", BundleStore(tmp_path))
    error = info.value
    assert error.nodes == ("greet",)
    assert error.workflow_type == "hello_activity"
    assert "hello_activity-ann" in error.run_id
    assert "Nondeterminism" in error.detail and "echo_renamed" in error.detail
    assert "node(s) 'greet' changed" in str(error)


def test_gate_catches_a_timer_the_old_code_did_not_start(tmp_path: Path, monkeypatch):
    original = set_variable.assignment
    pause = ast.parse("async def f():\n    await workflow.sleep(1)").body[0].body[0]

    def pausing(node, params):
        body = original(node, params)
        return [pause, *body] if node.id == "approved" else body

    monkeypatch.setattr(set_variable, "assignment", pausing)
    with pytest.raises(DeterminismError) as info:
        replay("approval_signal", BundleStore(tmp_path))
    assert info.value.nodes == ("approved",)
    assert "approval_signal-approved" in info.value.run_id
