"""The worker fleet: the code each queue serves, managed workers, registry, standalone workers."""

from core.fleet.code import (
    SERVED_STATUSES,
    QueueCode,
    load_queue_code,
    queues_to_serve,
    served_deployments,
    step_deployments,
)
from core.fleet.errors import (
    DeploymentCodeError,
    FleetConfigError,
    FleetError,
    NothingToServeError,
    QueueStateError,
    WorkerStartError,
)
from core.fleet.manager import MAX_POOL_SIZE, RestartPolicy, WorkerManager
from core.fleet.pollers import Poller, describe_pollers
from core.fleet.service import FleetService, QueueView, WorkerView

__all__ = [
    "MAX_POOL_SIZE",
    "SERVED_STATUSES",
    "DeploymentCodeError",
    "FleetConfigError",
    "FleetError",
    "FleetService",
    "NothingToServeError",
    "Poller",
    "QueueCode",
    "QueueStateError",
    "QueueView",
    "RestartPolicy",
    "WorkerManager",
    "WorkerStartError",
    "WorkerView",
    "describe_pollers",
    "load_queue_code",
    "queues_to_serve",
    "served_deployments",
    "step_deployments",
]
