"""A TLS-only front for a plain test server: a loopback proxy that ends TLS and relays bytes.

The Temporal dev server speaks plain gRPC only; put this in front of it and a client must
bring TLS (and trust the test CA) to reach it, as with a cluster that requires TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import trustme

SERVER_NAME = "temporal.test"  # the name the certificate is for; clients set it as SNI


@contextlib.contextmanager
def tls_front(upstream: str, ca: trustme.CA) -> Iterator[str]:
    """Serve TLS on a free loopback port, relaying each connection to ``upstream`` (host:port).

    Yields the proxy's ``host:port``. The certificate is issued by ``ca`` for `SERVER_NAME`.
    The proxy runs on an event loop of its own thread, so it keeps relaying while the test
    blocks (waiting for a process to end, say).
    """
    host, port = upstream.rsplit(":", 1)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(SERVER_NAME).configure_cert(context)
    context.set_alpn_protocols(["h2"])  # gRPC clients insist on HTTP/2 being negotiated

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="tls-front", daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        asyncio.start_server(relay, "127.0.0.1", 0, ssl=context), loop
    ).result(10)
    address = server.sockets[0].getsockname()
    try:
        yield f"{address[0]}:{address[1]}"
    finally:
        server.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    # A peer that hangs up or fails the handshake ends this direction; the other follows.
    with contextlib.suppress(ConnectionError, ssl.SSLError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    with contextlib.suppress(ConnectionError, ssl.SSLError, RuntimeError):
        sink.close()


def write_ca(ca: trustme.CA, folder: Path) -> Path:
    """Write the CA's certificate to ``folder`` and return its path (for *_CA_CERT_PATH)."""
    path = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path
