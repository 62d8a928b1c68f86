"""The embedded dev server starts and stops cleanly, clients connect, and failures read clearly."""

from __future__ import annotations

import gc
import socket
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import activity, workflow
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.worker import Worker

from core.config import load_settings
from core.temporal import (
    EmbeddedServerError,
    EmbeddedTemporalServer,
    TemporalConnectionError,
    connect,
    ensure_temporal,
    free_port,
)
from core.temporal.gateway import GatewayClosedError, TemporalGateway


@activity.defn
async def shout(text: str) -> str:
    return text.upper() + "!"


@workflow.defn
class ShoutWorkflow:
    @workflow.run
    async def run(self, text: str) -> str:
        return await workflow.execute_activity(
            shout, text, start_to_close_timeout=timedelta(seconds=10)
        )


@pytest.mark.asyncio
async def test_client_describes_the_namespace(temporal_client: Client) -> None:
    response = await temporal_client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace="default")
    )

    assert response.namespace_info.name == "default"


@pytest.mark.asyncio
async def test_workflow_with_activity_runs_on_the_server(
    temporal_client: Client, task_queue: str
) -> None:
    async with Worker(
        temporal_client, task_queue=task_queue, workflows=[ShoutWorkflow], activities=[shout]
    ):
        result = await temporal_client.execute_workflow(
            ShoutWorkflow.run, "hello", id=f"shout-{uuid.uuid4()}", task_queue=task_queue
        )

    assert result == "HELLO!"


@pytest.mark.asyncio
async def test_unreachable_address_gives_a_clear_error() -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there

    with pytest.raises(TemporalConnectionError) as caught:
        await connect(load_settings({"TEMPORAL_ADDRESS": address}))

    message = str(caught.value)
    assert address in message
    assert "connection refused" in message
    assert "TEMPORAL_ADDRESS" in message


@pytest.mark.asyncio
async def test_missing_certificate_file_names_the_file_and_variable(tmp_path: Path) -> None:
    missing = tmp_path / "client.pem"
    settings = load_settings(
        {
            "TEMPORAL_ADDRESS": "127.0.0.1:7233",
            "TEMPORAL_CLIENT_CERT_PATH": str(missing),
            "TEMPORAL_CLIENT_KEY_PATH": str(tmp_path / "client.key"),
        }
    )

    with pytest.raises(TemporalConnectionError) as caught:
        await connect(settings)

    assert str(caught.value) == f"TEMPORAL_CLIENT_CERT_PATH: file not found: {missing}"


@pytest.mark.asyncio
async def test_unknown_namespace_is_reported(temporal_server: EmbeddedTemporalServer) -> None:
    settings = load_settings(
        {"TEMPORAL_ADDRESS": temporal_server.address, "TEMPORAL_NAMESPACE": "no-such-namespace"}
    )

    with pytest.raises(TemporalConnectionError, match="namespace 'no-such-namespace' does not"):
        await connect(settings)


@pytest.mark.asyncio
async def test_tls_against_a_plain_server_says_so(temporal_server: EmbeddedTemporalServer) -> None:
    settings = load_settings({"TEMPORAL_ADDRESS": temporal_server.address, "TEMPORAL_TLS": "true"})

    with pytest.raises(TemporalConnectionError, match="TLS handshake failed"):
        await connect(settings)


@pytest.mark.asyncio
async def test_embedded_server_keeps_state_across_restarts(tmp_path: Path) -> None:
    settings = load_settings(
        {"WB_DATA_DIR": str(tmp_path), "TEMPORAL_DEV_PORT": "0", "TEMPORAL_DEV_UI_PORT": "0"}
    )
    workflow_id = f"kept-{uuid.uuid4()}"

    endpoint = ensure_temporal(settings)
    try:
        client = await connect(endpoint.settings)
        await client.start_workflow(
            ShoutWorkflow.run, "kept", id=workflow_id, task_queue=f"nobody-{uuid.uuid4()}"
        )
    finally:
        endpoint.stop()
    endpoint = ensure_temporal(settings)
    try:
        client = await connect(endpoint.settings)
        description = await client.get_workflow_handle(workflow_id).describe()
        await client.get_workflow_handle(workflow_id).terminate()
    finally:
        endpoint.stop()

    assert description.id == workflow_id
    assert (tmp_path / "temporal.db").is_file()
    assert endpoint.ui_url is not None and endpoint.ui_url.startswith("http://127.0.0.1:")


def test_external_address_starts_no_server() -> None:
    endpoint = ensure_temporal(load_settings({"TEMPORAL_ADDRESS": "temporal.example:7233"}))

    assert endpoint.server is None
    assert endpoint.settings.temporal_address == "temporal.example:7233"


def test_stop_frees_the_port_and_can_be_repeated(tmp_path: Path) -> None:
    server = EmbeddedTemporalServer(log_file=tmp_path / "server.log")
    server.start()
    pid, port = server.pid, int(server.address.rsplit(":", 1)[1])

    server.stop()
    server.stop()

    assert pid is not None and server.pid is None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # raises if the old server still held it


def test_port_in_use_is_refused_with_a_hint(
    temporal_server: EmbeddedTemporalServer, tmp_path: Path
) -> None:
    taken = int(temporal_server.address.rsplit(":", 1)[1])
    server = EmbeddedTemporalServer(log_file=tmp_path / "server.log", port=taken)

    with pytest.raises(EmbeddedServerError, match=f"port {taken} is already in use"):
        server.start()


def test_server_that_exits_at_once_reports_its_log(tmp_path: Path) -> None:
    fake = tmp_path / "temporal"
    fake.write_text("#!/bin/sh\necho 'unable to open database file' >&2\nexit 3\n")
    fake.chmod(0o755)
    server = EmbeddedTemporalServer(log_file=tmp_path / "server.log", binary=fake)

    with pytest.raises(EmbeddedServerError) as caught:
        server.start()

    assert "exited with code 3" in str(caught.value)
    assert "unable to open database file" in str(caught.value)
    assert server.pid is None


def test_a_call_through_a_closed_gateway_says_so(temporal_settings, recwarn) -> None:
    gateway = TemporalGateway(temporal_settings)
    gateway.close()

    async def never() -> None:
        raise AssertionError("a closed gateway ran a coroutine")

    with pytest.raises(GatewayClosedError, match="closed"):
        gateway.call(never())
    gc.collect()
    # The coroutine was closed, not left for the garbage collector to warn about.
    assert not [w for w in recwarn if "never awaited" in str(w.message)]
