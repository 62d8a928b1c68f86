"""Run a Python module with an audit hook that logs every network destination outside this
machine: ``python outbound_audit.py LOG -m MODULE ARGS...`` appends ``event host`` lines to LOG.

Python raises an audit event before each name lookup, connect and datagram send, so a
destination is logged even when the machine is offline and the attempt fails at once.
"""

from __future__ import annotations

import ipaddress
import runpy
import socket
import sys
from typing import Any


def outside(host: Any) -> bool:
    """True for a host name or address that is not this machine (loopback or unspecified)."""
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not host or not isinstance(host, str):
        return False
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return host != "localhost" and not host.endswith(".localhost")
    return not (address.is_loopback or address.is_unspecified)


def main(log_path: str, argv: list[str]) -> None:
    """Install the hook, then run ``-m MODULE ARGS`` as ``python -m`` would."""
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.getaddrinfo":
            host = args[0]
        elif event in ("socket.connect", "socket.sendto"):
            sock, address = args[0], args[1]
            if sock.family not in (socket.AF_INET, socket.AF_INET6):
                return
            host = address[0]
        else:
            return
        if outside(host):
            log.write(f"{event} {host}\n")

    sys.addaudithook(hook)
    if argv[:1] != ["-m"] or len(argv) < 2:
        raise SystemExit("usage: outbound_audit.py LOG -m MODULE [ARGS...]")
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
