"""Integration fixtures: one real Temporal dev server for the whole run, clients to it, and an
empty database of each kind (SQLite, PostgreSQL) per test.

Async tests run with pytest-asyncio: mark them ``@pytest.mark.asyncio``. Each test gets its own
event loop, and ``temporal_client`` is connected inside that loop (a Temporal client belongs to
the loop that made it). Sync tests that need Temporal can use ``temporal_settings`` and call
``asyncio.run`` on code that connects with ``core.temporal.connect``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from temporalio.client import Client

from core.config import Settings, load_settings
from core.db import Database, create_engine_for, normalize_url
from core.runtime.worker_host import WorkerHost
from core.temporal import EmbeddedTemporalServer, connect
from core.temporal.gateway import TemporalGateway

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each kind, gone after the test.

    SQLite lives in a not-yet-existing subfolder of the test's temp dir (the engine must create
    it). PostgreSQL gets a uuid-named database on the TEST_DATABASE_URL cluster; without that
    variable the shared ``postgres_url`` fixture skips locally and fails under CI.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'app.db'}"
        return
    admin_url = normalize_url(request.getfixturevalue("postgres_url"))
    name = f"wb_test_{uuid.uuid4().hex}"
    admin = create_engine_for(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            # FORCE ends sessions a failed test may have left open on the database.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def app(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    temporal_server: EmbeddedTemporalServer,
    task_queue: str,
) -> Iterator[AppTest]:
    """The app (streamlit's AppTest) on a fresh data folder, talking to the shared server on
    its own task queues."""
    monkeypatch.setenv("WB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TEMPORAL_ADDRESS", temporal_server.address)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", temporal_server.namespace)
    monkeypatch.setenv("WB_DEFAULT_TASK_QUEUE", task_queue)
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    yield at
    # The services object is cached per process: stop its workers, the next test builds its own.
    from pages.widgets.services import get_services

    get_services().close()
    get_services.clear()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database of its own (tests of both kinds use ``database_url``)."""
    with Database.open(f"sqlite:///{tmp_path / 'app.db'}") as db:
        yield db


@pytest.fixture
def gateway(temporal_settings: Settings) -> Iterator[TemporalGateway]:
    """A Temporal gateway (own thread and loop) to the shared test server."""
    gateway = TemporalGateway(temporal_settings)
    yield gateway
    gateway.close()


@pytest.fixture
def host(temporal_settings: Settings) -> Iterator[WorkerHost]:
    """A worker host on the shared test server; its workers drain for at most 5 s."""
    with WorkerHost(temporal_settings, graceful_shutdown=timedelta(seconds=5)) as worker_host:
        yield worker_host


@pytest.fixture
def cli_env(temporal_server: EmbeddedTemporalServer, tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI process: the test server, a scratch data folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "WB_"))}
    return {
        **env,
        "TEMPORAL_ADDRESS": temporal_server.address,
        "TEMPORAL_NAMESPACE": temporal_server.namespace,
        "WB_DATA_DIR": str(tmp_path / "data"),
    }
