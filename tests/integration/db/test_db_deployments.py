"""Deployment records: create pending, activate, fail, drain, retire, and what is loaded where."""

from __future__ import annotations

import pytest

from core.db import (
    Database,
    DeploymentRecord,
    DeploymentStatus,
    InvalidTransitionError,
    RecordNotFoundError,
)

D = DeploymentStatus


def deploy(db: Database, name: str = "flow", task_queue: str = "q") -> DeploymentRecord:
    try:
        workflow = db.workflows.get_by_name(name)
    except RecordNotFoundError:
        workflow = db.workflows.create(name=name)
    version = db.versions.create_next(
        workflow.id, graph={}, graph_hash="g", bundle_hash="b", compiler_version="1"
    )
    return db.deployments.create(
        workflow_id=workflow.id,
        version_id=version.id,
        task_queue=task_queue,
        workflow_type=f"{name}_v{version.version}",
        bundle_dir=f"/deploy/{name}/v{version.version}",
    )


def test_create_is_pending_and_activate_stamps_the_time(db: Database) -> None:
    pending = deploy(db)

    active = db.deployments.activate(pending.id)

    assert pending.status is D.PENDING and pending.activated_at is None
    assert active.status is D.ACTIVE and active.activated_at is not None
    assert db.deployments.get(pending.id) == active
    assert active.workflow_type == "flow_v1"


def test_fail_keeps_the_error(db: Database) -> None:
    pending = deploy(db)

    failed = db.deployments.fail(pending.id, error="worker could not import wf_flow_v1")

    assert (failed.status, failed.error) == (D.FAILED, "worker could not import wf_flow_v1")


def test_drain_then_retire(db: Database) -> None:
    deployment = db.deployments.activate(deploy(db).id)

    draining = db.deployments.drain(deployment.id)
    retired = db.deployments.retire(deployment.id)

    assert draining.status is D.DRAINING
    assert retired.status is D.RETIRED and retired.retired_at is not None


def test_illegal_moves_are_refused(db: Database) -> None:
    deployment = deploy(db)

    with pytest.raises(InvalidTransitionError, match="from 'pending' to 'draining'"):
        db.deployments.drain(deployment.id)
    db.deployments.activate(deployment.id)
    db.deployments.retire(deployment.id)
    with pytest.raises(InvalidTransitionError, match="it can go to: nothing"):
        db.deployments.activate(deployment.id)
    with pytest.raises(RecordNotFoundError, match="deployment 999"):
        db.deployments.activate(999)


def test_active_for_workflow_and_queue(db: Database) -> None:
    v1 = db.deployments.activate(deploy(db).id)
    v2 = db.deployments.activate(deploy(db).id)
    db.deployments.drain(v1.id)
    other_queue = db.deployments.activate(deploy(db, name="other", task_queue="q2").id)
    deploy(db, name="pending_only")

    assert db.deployments.active_for_workflow(v2.workflow_id) == db.deployments.get(v2.id)
    assert [d.id for d in db.deployments.active_for_queue("q")] == [v2.id, v1.id]
    assert [d.id for d in db.deployments.active_for_queue("q2")] == [other_queue.id]
    pending_only = db.workflows.get_by_name("pending_only")
    assert db.deployments.active_for_workflow(pending_only.id) is None
    assert [d.status for d in db.deployments.find(workflow_id=v1.workflow_id)] == [
        D.ACTIVE,
        D.DRAINING,
    ]
