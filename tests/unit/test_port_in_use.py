"""The embedded server's port check: a listener counts, a closed connection's TIME_WAIT not."""

from __future__ import annotations

import socket

from core.temporal.dev_server import port_in_use


def test_a_listener_counts_and_a_connection_left_in_time_wait_does_not() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    assert port_in_use(port)

    # The server side closes first, so its end of the connection waits in TIME_WAIT.
    accepted.close()
    client.close()
    listener.close()

    assert not port_in_use(port)
