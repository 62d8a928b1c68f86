"""Workflow and version repositories on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from core.db import (
    Database,
    DeploymentStatus,
    DuplicateRecordError,
    ExecutionStatus,
    InvalidRecordError,
    RecordNotFoundError,
    VersionRecord,
    WorkflowRecord,
)


def graph(name: str = "order_approval", **extra: Any) -> dict[str, Any]:
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "description": "", "task_queue": "orders"},
        "nodes": [{"id": "start", "type": "start", "label": "Start", "params": {}}],
        "edges": [],
        **extra,
    }


def freeze(db: Database, workflow_id: int, suffix: str = "") -> VersionRecord:
    return db.versions.create_next(
        workflow_id,
        graph=graph(),
        graph_hash=f"g{suffix}",
        bundle_hash=f"b{suffix}",
        compiler_version="1.0",
    )


def test_create_and_get_by_id_and_name(db: Database) -> None:
    created = db.workflows.create(
        name="order_approval", title="Orders", description="approve", graph=graph(), owner="ann"
    )

    assert isinstance(created, WorkflowRecord)
    assert db.workflows.get(created.id) == created
    assert db.workflows.get_by_name("order_approval") == created
    assert created.draft_graph == graph()
    assert (created.title, created.owner, created.deleted_at) == ("Orders", "ann", None)
    assert created.created_at.tzinfo is not None


def test_names_are_unique_and_must_be_slugs(db: Database) -> None:
    db.workflows.create(name="orders")

    with pytest.raises(DuplicateRecordError, match="workflow 'orders' already exists"):
        db.workflows.create(name="orders")
    with pytest.raises(InvalidRecordError, match="'Bad-Name' is not a workflow name"):
        db.workflows.create(name="Bad-Name")


def test_save_draft_stores_an_invalid_graph_exactly_as_given(db: Database) -> None:
    workflow = db.workflows.create(name="drafty", graph=graph())
    # Semantically broken (dangling edge, unknown node type) and keys in a deliberate order.
    broken = {
        "zeta": 1,
        "nodes": [{"type": "no_such_kind", "id": "x"}],
        "edges": [{"source": "x", "target": "missing"}],
        "alpha": {"b": 2, "a": 1},
    }

    saved = db.workflows.save_draft(workflow.id, broken)
    loaded = db.workflows.get(workflow.id)

    assert loaded.draft_graph == broken
    assert list(loaded.draft_graph or {}) == ["zeta", "nodes", "edges", "alpha"]
    assert list((loaded.draft_graph or {})["alpha"]) == ["b", "a"]
    assert saved.updated_at >= workflow.updated_at


def test_save_draft_refuses_what_json_cannot_hold(db: Database) -> None:
    workflow = db.workflows.create(name="drafty")

    with pytest.raises(InvalidRecordError, match="graph: cannot be stored as JSON"):
        db.workflows.save_draft(workflow.id, {"when": object()})
    assert db.workflows.get(workflow.id).draft_graph is None


def test_rename_changes_the_name_in_row_and_graph(db: Database) -> None:
    workflow = db.workflows.create(name="old_name", title="Old", graph=graph("old_name"))
    db.workflows.create(name="taken")

    renamed = db.workflows.rename(workflow.id, name="new_name", title="New")

    assert (renamed.name, renamed.title) == ("new_name", "New")
    assert (renamed.draft_graph or {})["workflow"]["name"] == "new_name"
    with pytest.raises(RecordNotFoundError):
        db.workflows.get_by_name("old_name")
    with pytest.raises(DuplicateRecordError):
        db.workflows.rename(workflow.id, name="taken")
    assert db.workflows.get(workflow.id).name == "new_name"


def test_duplicate_copies_texts_and_draft_but_not_versions(db: Database) -> None:
    source = db.workflows.create(
        name="source", title="Source", description="d", graph=graph("source"), owner="ann"
    )
    freeze(db, source.id)

    copy = db.workflows.duplicate(source.id, name="copy", owner="bob")

    assert copy.id != source.id
    assert (copy.title, copy.description, copy.owner) == ("Source", "d", "bob")
    assert copy.draft_graph == graph("copy")
    assert db.versions.find(copy.id) == []
    assert db.workflows.get(source.id).draft_graph == graph("source")


def test_soft_delete_hides_the_workflow_but_keeps_its_name(db: Database) -> None:
    workflow = db.workflows.create(name="doomed")

    db.workflows.delete(workflow.id)

    with pytest.raises(RecordNotFoundError, match="workflow 'doomed' not found"):
        db.workflows.get_by_name("doomed")
    with pytest.raises(RecordNotFoundError):
        db.workflows.get(workflow.id)
    assert db.workflows.get(workflow.id, include_deleted=True).deleted_at is not None
    assert db.workflows.find() == []
    assert [w.name for w in db.workflows.find(include_deleted=True)] == ["doomed"]
    with pytest.raises(DuplicateRecordError, match="names stay taken"):
        db.workflows.create(name="doomed")


def test_find_lists_latest_version_and_newest_deployment_status(db: Database) -> None:
    deployed = db.workflows.create(name="deployed", owner="ann")
    db.workflows.create(name="draft_only", owner="bob")
    freeze(db, deployed.id, "1")
    second = freeze(db, deployed.id, "2")
    first_deployment = db.deployments.create(
        workflow_id=deployed.id,
        version_id=second.id,
        task_queue="q",
        workflow_type="deployed_v2",
        bundle_dir="/b/2",
    )
    db.deployments.activate(first_deployment.id)

    summaries = {s.name: s for s in db.workflows.find()}

    assert summaries["deployed"].latest_version == 2
    assert summaries["deployed"].deployment_status is DeploymentStatus.ACTIVE
    assert summaries["draft_only"].latest_version is None
    assert summaries["draft_only"].deployment_status is None
    assert [s.name for s in db.workflows.find(owner="bob")] == ["draft_only"]


def test_overview_has_the_live_version_schedule_and_newest_run(db: Database) -> None:
    live = db.workflows.create(name="live", title="Live one", graph=graph("live"))
    db.workflows.create(name="idle")
    gone = db.workflows.create(name="gone")
    db.workflows.delete(gone.id)
    first, second = freeze(db, live.id, "1"), freeze(db, live.id, "2")
    deployments = [
        db.deployments.create(
            workflow_id=live.id,
            version_id=version.id,
            task_queue="q",
            workflow_type=f"live_v{version.version}",
            bundle_dir="/b",
        )
        for version in (first, second)
    ]
    for deployment in deployments:  # both active a moment, as mid-deploy: the newer counts
        db.deployments.activate(deployment.id)
    db.schedules.create(schedule_id="live-schedule", workflow_id=live.id, cron="0 7 * * *")
    for minute, status in ((1, ExecutionStatus.COMPLETED), (2, ExecutionStatus.FAILED)):
        db.executions.upsert(
            workflow_id=f"live-{minute}",
            run_id="r",
            workflow_type="live_v2",
            task_queue="q",
            status=status,
            start_time=datetime(2026, 11, 30, 1, minute, tzinfo=UTC),
            definition_id=live.id,
        )

    rows = db.workflows.overview()

    assert [row.name for row in rows] == ["idle", "live"]
    idle, shown = rows
    assert (idle.live_version, idle.live_graph, idle.cron, idle.last_run_status) == (
        None,
        None,
        None,
        None,
    )
    assert (shown.title, shown.live_version, shown.live_graph) == ("Live one", 2, graph())
    assert (shown.cron, shown.schedule_paused) == ("0 7 * * *", False)
    assert shown.last_run_status is ExecutionStatus.FAILED
    assert shown.last_run_start == datetime(2026, 11, 30, 1, 2, tzinfo=UTC)
    assert shown.draft_graph == graph("live")


def test_versions_count_up_and_are_readable(db: Database) -> None:
    workflow = db.workflows.create(name="versioned")

    first = freeze(db, workflow.id, "1")
    second = freeze(db, workflow.id, "2")

    assert (first.version, second.version) == (1, 2)
    assert db.versions.get(workflow.id, 1) == first
    assert db.versions.get_by_id(second.id) == second
    assert db.versions.latest(workflow.id) == second
    assert db.versions.find(workflow.id) == [second, first]
    assert first.graph == graph()
    with pytest.raises(RecordNotFoundError, match="workflow version"):
        db.versions.get(workflow.id, 3)


def test_versions_keep_their_build_options(db: Database) -> None:
    workflow = db.workflows.create(name="parent")
    options = {"children": {"hello": {"workflow_type": "hello_v3", "task_queue": "q-hello"}}}

    created = db.versions.create_next(
        workflow.id,
        graph=graph(),
        graph_hash="g",
        bundle_hash="b",
        compiler_version="1",
        build_options=options,
    )

    assert created.build_options == options
    assert db.versions.get_by_id(created.id).build_options == options
    assert freeze(db, workflow.id).build_options == {}


def test_create_next_writes_only_the_expected_number(db: Database) -> None:
    workflow = db.workflows.create(name="raced")
    assert freeze(db, workflow.id).version == 1

    def create(expected: int) -> VersionRecord:
        return db.versions.create_next(
            workflow.id,
            graph=graph(),
            graph_hash="g",
            bundle_hash="b",
            compiler_version="1",
            expected=expected,
        )

    with pytest.raises(DuplicateRecordError, match=r"v1' already exists: .*next number is 2"):
        create(1)
    with pytest.raises(InvalidRecordError, match="expected to create version 3, but the next"):
        create(3)
    assert [v.version for v in db.versions.find(workflow.id)] == [1]
    assert create(2).version == 2


def test_versions_need_a_live_workflow(db: Database) -> None:
    workflow = db.workflows.create(name="gone")
    db.workflows.delete(workflow.id)

    with pytest.raises(RecordNotFoundError):
        freeze(db, workflow.id)
    assert db.versions.latest(workflow.id) is None


def test_concurrent_create_next_gives_distinct_versions(db: Database) -> None:
    workflow = db.workflows.create(name="raced")
    threads_count, rounds = 2, 5
    barrier = threading.Barrier(threads_count)
    results: list[int] = []
    errors: list[BaseException] = []

    def deploy(worker: int) -> None:
        try:
            for round_number in range(rounds):
                barrier.wait(timeout=30)
                record = freeze(db, workflow.id, f"{worker}-{round_number}")
                results.append(record.version)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=deploy, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) == list(range(1, threads_count * rounds + 1))
    assert [v.version for v in db.versions.find(workflow.id)] == sorted(results, reverse=True)
