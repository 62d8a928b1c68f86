"""Which pending deployments a start fails: those whose deploying process is gone."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update

from core.db import Database, DeploymentStatus
from core.db.models import DeploymentRow
from core.db.types import utc_now
from core.deploy.recovery import STALE_AFTER, process_owner, recover_interrupted_deploys

_NUMBERS = itertools.count()


def _pending(db: Database, owner: str | None, *, age: timedelta = timedelta(0)) -> int:
    workflow = db.workflows.create(name=f"w{next(_NUMBERS)}", graph={"nodes": []})
    version = db.versions.create_next(
        workflow.id, graph={"nodes": []}, graph_hash="g", bundle_hash="b", compiler_version="1"
    )
    deployment = db.deployments.create(
        workflow_id=workflow.id,
        version_id=version.id,
        task_queue="q",
        workflow_type=f"{workflow.name}_v1",
        bundle_dir="/nowhere",
        owner=owner,
    )
    if age:
        with db.engine.begin() as connection:
            connection.execute(
                update(DeploymentRow)
                .where(DeploymentRow.id == deployment.id)
                .values(created_at=utc_now() - age)
            )
    return deployment.id


def _dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout)


def test_only_deploys_that_cannot_still_run_are_failed(db: Database) -> None:
    host = socket.gethostname()
    dead_here = _pending(db, f"{host}:{_dead_pid()}")
    legacy = _pending(db, None)
    this_process = _pending(db, process_owner())
    alive_here = _pending(db, f"{host}:{os.getppid()}")
    elsewhere_recent = _pending(db, "other-host:12")
    elsewhere_old = _pending(db, "other-host:13", age=STALE_AFTER + timedelta(minutes=1))

    failed = recover_interrupted_deploys(db)

    assert {d.id for d in failed} == {dead_here, legacy, this_process, elsewhere_old}
    for deployment_id in (alive_here, elsewhere_recent):
        assert db.deployments.get(deployment_id).status is DeploymentStatus.PENDING
    reasons = {d.id: d.error or "" for d in failed}
    assert "is gone" in reasons[dead_here] and "deploy again" in reasons[dead_here]
    assert "other-host:13" in reasons[elsewhere_old]
    assert recover_interrupted_deploys(db) == []  # nothing left to recover
