"""The facade the pages call: one :class:`AppServices` per process, built from settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from core.activities import ActivityRegistry, load_registry
from core.config import Settings
from core.db import Database
from core.services.workflows import DraftCheck, WorkflowService, blank_document

logger = logging.getLogger(__name__)

__all__ = ["AppServices", "DraftCheck", "WorkflowService", "blank_document", "build_services"]


@dataclass
class AppServices:
    """Everything a page needs, built once per process (``st.cache_resource`` in app.py)."""

    settings: Settings
    database: Database
    registry: ActivityRegistry
    workflows: WorkflowService

    def close(self) -> None:
        """Release the database connections."""
        self.database.close()


def build_services(settings: Settings) -> AppServices:
    """Open the database (migrating it), load the activity registry, wire the services."""
    database = Database.open(settings.database_url)
    registry = load_registry(settings.activity_modules)
    logger.info("services ready (database %s)", database.engine.url.render_as_string())
    return AppServices(
        settings=settings,
        database=database,
        registry=registry,
        workflows=WorkflowService(database, registry),
    )
