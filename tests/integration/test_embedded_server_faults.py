"""Fault: the embedded Temporal server SIGKILLed (restarted within 5 s, runs complete), and the
app SIGKILLed (its server goes with it, so the next start finds the port free)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from core.config import load_settings
from core.services import build_services
from core.temporal import EmbeddedTemporalServer
from core.temporal.dev_server import free_port, port_in_use

ROOT = Path(__file__).resolve().parents[2]
RESTART_LIMIT = 5.0


async def _answers(address: str) -> bool:
    try:
        client = await Client.connect(address)
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace="default"), timeout=timedelta(seconds=1)
        )
    except Exception:  # not up (yet): refused, unavailable
        return False
    return True


def _until(check, seconds: float, what: str) -> float:
    began = time.monotonic()
    while not check():
        assert time.monotonic() - began < seconds, f"{what} not within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - began


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie still answers signal 0; its state in /proc says it is dead.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ")[-1].startswith("Z")


@pytest.mark.fault
def test_a_killed_server_is_restarted_on_its_port_within_five_seconds(tmp_path: Path) -> None:
    server = EmbeddedTemporalServer(
        log_file=tmp_path / "server.log", db_filename=tmp_path / "temporal.db"
    )
    with server:
        first = server.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        took = _until(
            lambda: server.pid not in (None, first) and asyncio.run(_answers(server.address)),
            RESTART_LIMIT,
            "the restarted server answering",
        )
        assert server.restarts == 1
    print(f"embedded server restart after SIGKILL: {took:.2f} s (limit {RESTART_LIMIT:.0f} s)")


_APP = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from core.temporal import EmbeddedTemporalServer
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    server = EmbeddedTemporalServer(log_file=folder / "server.log", port=port)
    server.start()
    print(server.pid, flush=True)
    time.sleep(600)
    """
)


@pytest.mark.fault
def test_the_server_dies_with_a_killed_app_and_the_port_is_free_again(tmp_path: Path) -> None:
    port = free_port()
    app = subprocess.Popen(
        [sys.executable, "-c", _APP, str(tmp_path), str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None
        server_pid = int(app.stdout.readline())
        assert port_in_use(port)
        app.send_signal(signal.SIGKILL)
        app.wait(10)
        took = _until(lambda: _gone(server_pid), 5.0, "the orphaned server exiting")
        _until(lambda: not port_in_use(port), 5.0, "the port being free")
    finally:
        app.kill()
    with EmbeddedTemporalServer(log_file=tmp_path / "again.log", port=port) as again:
        assert asyncio.run(_answers(again.address))
    print(f"server gone {took:.2f} s after the app was SIGKILLed")


@pytest.mark.fault
def test_runs_in_flight_complete_when_the_app_server_is_killed(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "WB_DATA_DIR": str(tmp_path),
            "TEMPORAL_DEV_PORT": str(free_port()),
            "TEMPORAL_DEV_UI_PORT": str(free_port()),
        }
    )
    services = build_services(settings)
    try:
        workflow = services.workflows.create_from_example("hello_activity", name="steady")
        document = services.workflows.get(workflow.id).draft_graph
        _insert_timer(document, "2s")
        services.workflows.save_draft(workflow.id, document)
        services.deploy.deploy(workflow.id)
        refs = [services.runs.start(workflow.id, {"name": f"n{i}"}) for i in range(20)]
        server = services.temporal.endpoint.server
        assert server is not None and server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        began = time.monotonic()
        results = [services.runs.wait(ref, timeout=60).result for ref in refs]
        assert results == [f"Hello, n{i}!" for i in range(20)]
        print(f"20 runs in flight completed {time.monotonic() - began:.1f} s after the kill")
    finally:
        services.close()


def _insert_timer(document: dict, duration: str) -> None:
    """Put a timer between the start node and its successor, so runs are in flight a while."""
    start_edge = next(edge for edge in document["edges"] if edge["source"] == "start")
    document["nodes"].append(
        {"id": "pause", "type": "timer", "label": "Pause", "params": {"duration": duration}}
    )
    document["edges"].append(
        {"id": "to_pause", "source": "pause", "target": start_edge["target"], "handle": "next"}
    )
    start_edge["target"] = "pause"
