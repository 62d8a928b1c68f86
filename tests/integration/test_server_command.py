"""`python -m core server` serves until SIGTERM, then stops its server and exits 0."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from core.config import REPO_ROOT


def _wait_for(pattern: str, path: Path, process: subprocess.Popen[bytes]) -> re.Match[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(pattern, path.read_text())
        if match:
            return match
        assert process.poll() is None, f"exited early:\n{path.read_text()}"
        time.sleep(0.05)
    raise AssertionError(f"{pattern!r} never printed:\n{path.read_text()}")


def test_server_runs_until_sigterm_and_exits_cleanly(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    port = free_port()
    output = tmp_path / "output.txt"
    env = {**os.environ, "WB_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "core", "server", "--port", str(port), "--ui-port", "0"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(r"Web UI: http://127\.0\.0\.1:\d+", output, process)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # the gRPC port answers while the command runs

        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert exit_code == 0, output.read_text()
    assert f"Temporal dev server at 127.0.0.1:{port}" in output.read_text()
    assert (tmp_path / "temporal.db").is_file()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # the server process is gone and released its port
