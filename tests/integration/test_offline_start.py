"""The console asks no outside host at start: Streamlit's external IP lookup for its start
banner stays off with our settings (on the loopback address and on every interface), and so
does the embedded Temporal server's version check."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.config import REPO_ROOT
from core.temporal.dev_server import EmbeddedTemporalServer, find_temporal_cli, free_port

AUDIT = Path(__file__).with_name("outbound_audit.py")
BANNER_TIMEOUT_S = 30.0
#: Go's resolver, with GODEBUG=netdns=2, logs each name it looks up like this.
GO_LOOKUP = re.compile(r"hostLookupOrder\(([^)]*)\)")
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


def _start_and_stop(cwd: Path, tmp_path: Path, *args: str) -> list[str]:
    """Start ``streamlit run`` under the outbound audit until it printed its URL, stop it, and
    return the outside destinations it tried (one ``event host`` line each)."""
    audit_log, output = tmp_path / "outbound.log", tmp_path / "streamlit.log"
    audit_log.write_text("")
    command = [sys.executable, str(AUDIT), str(audit_log), "-m", "streamlit", "run", *args]
    with output.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        # The banner's URL lines come after every lookup made for them.
        deadline = time.monotonic() + BANNER_TIMEOUT_S
        while "URL: " not in output.read_text(errors="replace"):
            assert process.poll() is None, output.read_text(errors="replace")
            assert time.monotonic() < deadline, f"no URL printed: {output.read_text()}"
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    return audit_log.read_text().splitlines()


@pytest.mark.parametrize("address", [None, "0.0.0.0"], ids=["default", "every-interface"])
def test_the_console_starts_without_asking_an_outside_host(
    address: str | None, tmp_path: Path, free_port: Callable[[], int]
) -> None:
    args = ["app.py", f"--server.port={free_port()}"]
    if address is not None:  # how the README says to open it to other machines
        args.append(f"--server.address={address}")
    assert _start_and_stop(REPO_ROOT, tmp_path, *args) == []


def test_the_audit_sees_streamlits_own_lookup_without_our_settings(
    tmp_path: Path, free_port: Callable[[], int]
) -> None:
    """The check above can fail: a bare app on every interface asks for its external IP."""
    (tmp_path / "bare.py").write_text("import streamlit as st\nst.write('bare')\n")
    tried = _start_and_stop(
        tmp_path,
        tmp_path,
        "bare.py",
        f"--server.port={free_port()}",
        "--server.address=0.0.0.0",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
    )
    assert "socket.getaddrinfo checkip.amazonaws.com" in tried


def test_the_embedded_temporal_server_looks_up_no_outside_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Go logs every name lookup under GODEBUG=netdns=2; the server's version check would
    look up version-info.temporal.io as soon as it starts."""
    monkeypatch.setenv("GODEBUG", "netdns=2")
    log = tmp_path / "server.log"
    # Started means answering a client: the version check would have run by then.
    with EmbeddedTemporalServer(log_file=log, db_filename=tmp_path / "temporal.db"):
        pass
    names = set(GO_LOOKUP.findall(log.read_text(errors="replace")))
    assert names <= LOCAL_NAMES

    # The same binary without our settings does look it up: the check above can fail.
    bare_log = tmp_path / "bare.log"
    with bare_log.open("wb") as out:
        bare = subprocess.Popen(
            [str(find_temporal_cli()), "server", "start-dev", "--headless", "--ip", "127.0.0.1"]
            + ["--port", str(free_port()), "--log-level", "warn"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + BANNER_TIMEOUT_S
        while "version-info.temporal.io" not in set(GO_LOOKUP.findall(bare_log.read_text())):
            assert bare.poll() is None, bare_log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the bare server looked up no version-info host"
            time.sleep(0.1)
    finally:
        bare.terminate()
        bare.wait(timeout=15)
