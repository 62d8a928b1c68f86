"""Runs console fixtures: the whole services object on each database, against the shared server."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings
from core.services import AppServices, build_services


@pytest.fixture
def services_with(
    temporal_settings: Settings, database_url: str, tmp_path: Path, task_queue: str
) -> Iterator[Callable[..., AppServices]]:
    """Build services on a fresh database (SQLite and PostgreSQL) with their own task queues,
    and ``**overrides`` of their settings; each is closed after the test."""
    built: list[AppServices] = []

    def build(**overrides: Any) -> AppServices:
        settings = dataclasses.replace(
            temporal_settings,
            data_dir=tmp_path,
            deploy_dir=tmp_path / "deployments",
            default_task_queue=task_queue,
            database_url=database_url,
            **overrides,
        )
        built.append(build_services(settings))
        return built[-1]

    yield build
    for services in built:
        services.close()


@pytest.fixture
def services(services_with: Callable[..., AppServices]) -> AppServices:
    """Services with the default settings (see ``services_with``)."""
    return services_with()
