"""Deploys the app was killed in the middle of: failed at the next start, the previous kept.

A deploy records its deployment as pending before the workers load it and marks it active
last; everything between (loading, re-aiming the schedule) is undone by failing it: workers
then serve only the active and draining deployments again, and the start-up restoration of
schedules aims every schedule at its active deployment. So recovery runs before both.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from core.db import Database, DeploymentRecord, DeploymentStatus
from core.db.types import utc_now
from core.processes import process_alive

logger = logging.getLogger(__name__)

#: A deploy owned by another machine that is still pending after this long has died: the
#: steps after the pending record (loading workers, the schedule) take seconds.
STALE_AFTER = timedelta(minutes=10)


def process_owner() -> str:
    """This process as a deployment's owner: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def recover_interrupted_deploys(database: Database) -> list[DeploymentRecord]:
    """Fail every pending deployment whose deploy cannot still be running; return them."""
    failed = []
    for deployment in database.deployments.find(statuses=[DeploymentStatus.PENDING]):
        reason = _interrupted(deployment)
        if reason is None:
            continue
        failed.append(
            database.deployments.fail(
                deployment.id,
                error=f"the deploy was interrupted ({reason}) before it finished; the previous "
                "version kept serving: deploy again",
            )
        )
        logger.warning(
            "deployment %s (%s) was left pending by an interrupted deploy: marked failed",
            deployment.id,
            deployment.workflow_type,
            extra={"deployment_id": deployment.id, "workflow_type": deployment.workflow_type},
        )
    return failed


def _interrupted(deployment: DeploymentRecord) -> str | None:
    """Why the deployment's deploy is over (None: it may still be running elsewhere)."""
    if deployment.owner is None:
        return "by a process that did not record itself"
    host, _, pid = deployment.owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():
            return "by an earlier start of this process"
        return None if process_alive(int(pid)) else f"process {pid} on this machine is gone"
    if utc_now() - deployment.created_at > STALE_AFTER:
        return f"{deployment.owner} left it pending for over {STALE_AFTER}"
    return None
