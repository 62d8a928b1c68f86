"""Runs console fixtures: the whole services object on each database, against the shared server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.config import Settings
from core.services import AppServices, build_services


@pytest.fixture
def services(
    temporal_settings: Settings, database_url: str, tmp_path: Path, task_queue: str
) -> Iterator[AppServices]:
    """Services on a fresh database (SQLite and PostgreSQL) with their own task queues."""
    settings = dataclasses.replace(
        temporal_settings,
        data_dir=tmp_path,
        deploy_dir=tmp_path / "deployments",
        default_task_queue=task_queue,
        database_url=database_url,
    )
    built = build_services(settings)
    try:
        yield built
    finally:
        built.close()
