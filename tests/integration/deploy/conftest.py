"""Deploy fixtures: a SQLite database, a worker manager and the deploy service."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.activities import ActivityRegistry, builtin_registry
from core.config import Settings
from core.db import Database
from core.deploy import DeployService
from core.fleet import WorkerManager
from tests.integration.deploy.helpers import DeployWorld


@pytest.fixture
def registry() -> ActivityRegistry:
    """The built-in activities (tests needing plugins override this)."""
    return builtin_registry()


@pytest.fixture
def world(
    temporal_settings: Settings, tmp_path: Path, task_queue: str, registry: ActivityRegistry
) -> Iterator[DeployWorld]:
    """A fresh database and deploy folder, a worker manager, and the deploy service."""
    settings = dataclasses.replace(
        temporal_settings,
        deploy_dir=tmp_path / "deployments",
        default_task_queue=task_queue,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
    )
    database = Database.open(settings.database_url)
    manager = WorkerManager(settings, database, registry=registry)
    try:
        yield DeployWorld(
            settings=settings,
            database=database,
            manager=manager,
            service=DeployService(database, manager, registry, settings),
        )
    finally:
        manager.close()
        database.close()
