"""Integration fixtures: one real Temporal dev server for the whole run, and clients to it.

Async tests run with pytest-asyncio: mark them ``@pytest.mark.asyncio``. Each test gets its own
event loop, and ``temporal_client`` is connected inside that loop (a Temporal client belongs to
the loop that made it). Sync tests that need Temporal can use ``temporal_settings`` and call
``asyncio.run`` on code that connects with ``core.temporal.connect``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from temporalio.client import Client

from core.config import Settings, load_settings
from core.temporal import EmbeddedTemporalServer, connect


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedTemporalServer]:
    """An in-memory `temporal server start-dev` on free ports, shared by every test of the run.

    Its output goes to ``server.log`` in a pytest temp folder; a start failure shows its tail.
    """
    folder = tmp_path_factory.mktemp("temporal")
    with EmbeddedTemporalServer(log_file=folder / "server.log") as server:
        yield server


@pytest.fixture(scope="session")
def temporal_settings(
    temporal_server: EmbeddedTemporalServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings pointing at the shared test server, with a throwaway data folder."""
    return load_settings(
        {
            "TEMPORAL_ADDRESS": temporal_server.address,
            "TEMPORAL_NAMESPACE": temporal_server.namespace,
            "WB_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        }
    )


@pytest_asyncio.fixture
async def temporal_client(temporal_settings: Settings) -> AsyncIterator[Client]:
    """A client to the shared test server, connected in the running test's event loop."""
    yield await connect(temporal_settings)


@pytest.fixture
def task_queue() -> str:
    """A task queue name no other test uses, so workers never pick up another test's tasks."""
    return f"test-{uuid.uuid4()}"
