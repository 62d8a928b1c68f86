"""Bundle store, loader and worker host on the real dev server, with hand-written bundles."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import TimeoutError as TemporalTimeoutError

from core.activities import bundle_activities_source
from core.compiler.bundle import Bundle, manifest_text
from core.runtime import (
    BundleLoadError,
    BundleStore,
    BundleStoreError,
    LoadedBundle,
    WorkerHost,
    WorkerHostError,
    load_bundle,
    package_name,
    read_bundle,
)

# The shape the compiler emits: stdlib + temporalio only, activities called by name.
_WORKFLOW = """
from datetime import timedelta
from typing import Any

from temporalio import workflow


@workflow.defn(name={workflow_type!r})
class {class_name}:
    @workflow.run
    async def run(self, input: dict) -> Any:
        if input.get("nap"):
            await workflow.execute_activity(
                "nap", input["nap"], start_to_close_timeout=timedelta(seconds=30)
            )
        return await workflow.execute_activity(
            "echo",
            {greeting!r} + ", " + input["name"],
            start_to_close_timeout=timedelta(seconds=10),
        )
"""
_NAP = """

@activity.defn(name="nap")
async def nap(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


ACTIVITIES = [echo, nap]
"""


def hand_bundle(workflow_type: str = "hand_greet", greeting: str = "Hello") -> Bundle:
    """A bundle shaped like the compiler's output, written by hand."""
    class_name = "".join(part.title() for part in workflow_type.split("_"))
    manifest = {"workflow_type": workflow_type, "workflow_class": class_name, "task_queue": "hand"}
    files = {
        "workflow.py": _WORKFLOW.format(
            workflow_type=workflow_type, class_name=class_name, greeting=greeting
        ),
        "activities.py": bundle_activities_source(["echo"]) + _NAP,
        "worker.py": "# The standalone worker is not used by these tests.\n",
        "manifest.json": manifest_text(manifest),
    }
    return Bundle(files=files, manifest=manifest)


def loaded(tmp_path: Path, **kwargs: str) -> LoadedBundle:
    return load_bundle(BundleStore(tmp_path / "store").write(hand_bundle(**kwargs)))


def execute(host: WorkerHost, workflow_type: str, task_queue: str, **input: object) -> object:
    return host.call(
        host.client.execute_workflow(
            workflow_type,
            input,
            id=f"{workflow_type}-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=30),
        )
    )


# ---- bundle store ----------------------------------------------------------------------------


def test_store_writes_an_importable_package_named_for_type_and_digest(tmp_path):
    bundle = hand_bundle()
    stored = BundleStore(tmp_path).write(bundle)
    assert stored.package == f"wf_hand_greet_{bundle.digest[:8]}" == package_name(bundle)
    assert stored.path == tmp_path / stored.package
    assert sorted(p.name for p in stored.path.iterdir()) == sorted(
        ["__init__.py", "workflow.py", "activities.py", "worker.py", "manifest.json"]
    )
    assert (stored.path / "workflow.py").read_text() == bundle.files["workflow.py"]
    # The staging folder was renamed away, nothing else is left in the root.
    assert [p.name for p in tmp_path.iterdir()] == [stored.package]


def test_store_reuses_an_identical_package_without_rewriting_it(tmp_path):
    store = BundleStore(tmp_path)
    first = store.write(hand_bundle())
    stamp = (first.path / "workflow.py").stat().st_mtime_ns
    again = store.write(hand_bundle())
    assert again == first
    assert (first.path / "workflow.py").stat().st_mtime_ns == stamp


def test_store_refuses_to_overwrite_a_package_whose_files_differ(tmp_path):
    store = BundleStore(tmp_path)
    stored = store.write(hand_bundle())
    (stored.path / "workflow.py").write_text("# edited by hand\n")
    with pytest.raises(BundleStoreError) as info:
        store.write(hand_bundle())
    assert info.value.path == stored.path
    assert "workflow.py" in str(info.value) and "immutable" in str(info.value)
    assert (stored.path / "workflow.py").read_text() == "# edited by hand\n"


def test_different_builds_of_one_type_get_different_packages(tmp_path):
    store = BundleStore(tmp_path)
    one = store.write(hand_bundle(greeting="Hello"))
    two = store.write(hand_bundle(greeting="Hi"))
    assert one.package != two.package
    assert one.package.startswith("wf_hand_greet_") and two.package.startswith("wf_hand_greet_")


def test_read_bundle_round_trips_and_names_a_missing_file(tmp_path):
    stored = BundleStore(tmp_path).write(hand_bundle())
    copy = read_bundle(stored.path)
    assert copy.files == stored.bundle.files and copy.digest == stored.bundle.digest
    assert copy.manifest == stored.bundle.manifest
    (stored.path / "manifest.json").unlink()
    with pytest.raises(BundleStoreError, match="no manifest.json"):
        read_bundle(stored.path)


# ---- loader ----------------------------------------------------------------------------------


def test_loader_returns_the_workflow_class_and_activities(tmp_path):
    bundle = loaded(tmp_path, workflow_type="hand_loader")
    assert bundle.workflow_class.__name__ == "HandLoader"
    assert bundle.workflow_class.__module__ == f"{bundle.package}.workflow"
    assert [fn.__name__ for fn in bundle.activities] == ["echo", "nap"]
    assert bundle.workflow_type == "hand_loader" and bundle.task_queue == "hand"


def test_loader_names_a_missing_workflow_class(tmp_path):
    good = hand_bundle(workflow_type="hand_missing")
    manifest = {**good.manifest, "workflow_class": "Nope"}
    broken = Bundle(
        files={**good.files, "manifest.json": manifest_text(manifest)}, manifest=manifest
    )
    stored = BundleStore(tmp_path).write(broken)
    with pytest.raises(BundleLoadError, match="defines no class 'Nope'") as info:
        load_bundle(stored)
    assert info.value.package == stored.package


def test_loader_reports_an_import_error_with_the_module(tmp_path):
    good = hand_bundle(workflow_type="hand_broken")
    broken = Bundle(
        files={**good.files, "activities.py": "raise ValueError('boom')\n"}, manifest=good.manifest
    )
    with pytest.raises(BundleLoadError, match=r"activities: ValueError\('boom'\)"):
        load_bundle(BundleStore(tmp_path).write(broken))


# ---- worker host -----------------------------------------------------------------------------


def test_host_runs_a_loaded_bundle(host, tmp_path, task_queue):
    bundle = loaded(tmp_path, workflow_type="hand_run")
    info = host.add_worker(task_queue, [bundle])
    assert info.workflow_types == ("hand_run",) and info.activity_names == ("echo", "nap")
    assert execute(host, "hand_run", task_queue, name="Ann") == "Hello, Ann"
    assert host.workers() == (info,)


def test_host_deduplicates_activities_across_bundles_on_one_queue(host, tmp_path, task_queue):
    one = loaded(tmp_path, workflow_type="hand_one", greeting="One")
    two = loaded(tmp_path, workflow_type="hand_two", greeting="Two")
    info = host.add_worker(task_queue, [one, two])
    assert info.workflow_types == ("hand_one", "hand_two")
    assert info.activity_names == ("echo", "nap")
    assert execute(host, "hand_one", task_queue, name="A") == "One, A"
    assert execute(host, "hand_two", task_queue, name="B") == "Two, B"


def test_host_refuses_a_second_worker_on_a_queue(host, tmp_path, task_queue):
    bundle = loaded(tmp_path, workflow_type="hand_twice")
    host.add_worker(task_queue, [bundle])
    with pytest.raises(WorkerHostError, match="already running") as info:
        host.add_worker(task_queue, [bundle])
    assert info.value.task_queue == task_queue


def test_host_replaces_a_worker_with_new_code(host, tmp_path, task_queue):
    old = loaded(tmp_path, workflow_type="hand_swap", greeting="Old")
    new = loaded(tmp_path, workflow_type="hand_swap", greeting="New")
    host.add_worker(task_queue, [old])
    assert execute(host, "hand_swap", task_queue, name="x") == "Old, x"
    host.replace_worker(task_queue, [new])
    assert execute(host, "hand_swap", task_queue, name="x") == "New, x"
    assert len(host.workers()) == 1


def test_host_removes_a_worker_and_its_queue_stops_being_served(host, tmp_path, task_queue):
    bundle = loaded(tmp_path, workflow_type="hand_gone")
    host.add_worker(task_queue, [bundle])
    host.remove_worker(task_queue)
    assert host.workers() == ()
    with pytest.raises(WorkerHostError, match="no worker"):
        host.remove_worker(task_queue)
    # Nobody polls the queue now: the run stays open until its short timeout.
    with pytest.raises(WorkflowFailureError) as info:
        host.call(
            host.client.execute_workflow(
                "hand_gone",
                {"name": "x"},
                id=f"gone-{uuid.uuid4()}",
                task_queue=task_queue,
                execution_timeout=timedelta(seconds=1),
            )
        )
    assert isinstance(info.value.cause, TemporalTimeoutError)


def test_host_drains_a_running_activity_on_close_without_hanging(
    temporal_settings, tmp_path, task_queue
):
    bundle = loaded(tmp_path, workflow_type="hand_drain")
    host = WorkerHost(temporal_settings, graceful_shutdown=timedelta(seconds=10))
    host.add_worker(task_queue, [bundle])
    handle = host.call(
        host.client.start_workflow(
            "hand_drain",
            {"name": "D", "nap": 1.0},
            id=f"drain-{uuid.uuid4()}",
            task_queue=task_queue,
        )
    )
    deadline = time.monotonic() + 10
    while not _activity_started(host, handle, "nap"):
        assert time.monotonic() < deadline, "the nap activity never started"
        time.sleep(0.05)
    closer = threading.Thread(target=host.close)
    started = time.monotonic()
    closer.start()
    closer.join(20)
    assert not closer.is_alive(), "WorkerHost.close() hung"
    elapsed = time.monotonic() - started
    # It waited for the one-second activity instead of cancelling it.
    assert 0.5 < elapsed < 15
    with WorkerHost(temporal_settings) as checker:
        history = checker.call(checker.client.get_workflow_handle(handle.id).fetch_history())
        completed = [
            e for e in history.events if e.HasField("activity_task_completed_event_attributes")
        ]
        assert len(completed) == 1
        checker.add_worker(task_queue, [bundle])
        assert checker.call(checker.client.get_workflow_handle(handle.id).result()) == "Hello, D"


def _activity_started(host: WorkerHost, handle, activity_type: str) -> bool:
    description = host.call(handle.describe())
    return any(
        p.activity_type.name == activity_type
        and p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        for p in description.raw_description.pending_activities
    )
