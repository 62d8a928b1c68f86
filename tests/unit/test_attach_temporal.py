"""Command-line tools use the app's embedded Temporal server when it is already up."""

from __future__ import annotations

import socket
from pathlib import Path

from core.config import load_settings
from core.temporal import attach_temporal


def test_a_running_embedded_server_is_attached_to_not_started_again(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        settings = load_settings({"WB_DATA_DIR": str(tmp_path), "TEMPORAL_DEV_PORT": str(port)})

        endpoint = attach_temporal(settings)

    assert endpoint.server is None  # nothing of its own to stop later
    assert endpoint.settings.temporal_address == f"127.0.0.1:{port}"


def test_a_configured_cluster_is_used_as_it_is(tmp_path: Path) -> None:
    settings = load_settings(
        {"WB_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "temporal.example:7233"}
    )

    endpoint = attach_temporal(settings)

    assert (endpoint.server, endpoint.settings.temporal_address) == (None, "temporal.example:7233")
