"""Deploying workflows: immutable versions, version-safe redeploys, determinism gate, export."""

from core.deploy.diff import FieldChange, GraphDiff, ItemChange, VersionDiff
from core.deploy.errors import DeployError, DeterminismError
from core.deploy.pipeline import Deployer, DeployResult, Fleet
from core.deploy.service import DeployService
from core.deploy.steps import DeployStep, ProgressCallback, StepStatus

__all__ = [
    "DeployError",
    "DeployResult",
    "DeployService",
    "DeployStep",
    "Deployer",
    "DeterminismError",
    "FieldChange",
    "Fleet",
    "GraphDiff",
    "ItemChange",
    "ProgressCallback",
    "StepStatus",
    "VersionDiff",
]
