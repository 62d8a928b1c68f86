"""Retiring drained deployments: a version with no open runs left is unloaded from workers."""

from __future__ import annotations

import logging

from temporalio.client import Client

from core.db import Database, DeploymentRecord, DeploymentStatus
from core.deploy.pipeline import Fleet

logger = logging.getLogger(__name__)


async def open_runs(client: Client, workflow_type: str) -> int:
    """How many executions of ``workflow_type`` Temporal's visibility lists as running."""
    query = f"WorkflowType = '{workflow_type}' AND ExecutionStatus = 'Running'"
    return (await client.count_workflows(query)).count


def retire_drained(database: Database, fleet: Fleet) -> list[DeploymentRecord]:
    """Retire every draining deployment whose workflow type has no running execution left.

    The queues of retired deployments (their own and their steps') are applied again, so their
    workers drop the code.

    Returns:
        The deployments retired now.
    """
    host = fleet.host
    retired = []
    for deployment in database.deployments.find(statuses=[DeploymentStatus.DRAINING]):
        running = host.call(open_runs(host.client, deployment.workflow_type))
        if running:
            logger.debug("%s still has %d open runs", deployment.workflow_type, running)
            continue
        retired.append(database.deployments.retire(deployment.id))
        logger.info(
            "retired deployment %s (%s)",
            deployment.id,
            deployment.workflow_type,
            extra={"deployment_id": deployment.id, "workflow_type": deployment.workflow_type},
        )
    for queue in sorted({queue for deployment in retired for queue in deployment.queues}):
        fleet.apply_queue(queue)
    return retired
