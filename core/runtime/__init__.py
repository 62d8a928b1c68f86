"""Running compiled bundles: write them as packages, import them, host Temporal workers for them."""

from core.runtime.bundle_store import (
    BundleStore,
    BundleStoreError,
    StoredBundle,
    package_name,
    read_bundle,
)
from core.runtime.loader import BundleLoadError, LoadedBundle, StepActivities, load_bundle
from core.runtime.worker_host import HostedWorker, WorkerHost, WorkerHostError

__all__ = [
    "BundleLoadError",
    "BundleStore",
    "BundleStoreError",
    "HostedWorker",
    "LoadedBundle",
    "StepActivities",
    "StoredBundle",
    "WorkerHost",
    "WorkerHostError",
    "load_bundle",
    "package_name",
    "read_bundle",
]
