"""Connecting to Temporal: a client from settings, and the embedded server when none is set."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import timedelta

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode, TLSConfig

from core.config import CertificateSource, Settings
from core.errors import WorkflowBuilderError
from core.temporal.dev_server import EmbeddedTemporalServer, port_in_use

logger = logging.getLogger(__name__)


class TemporalConnectionError(WorkflowBuilderError):
    """Temporal cannot be reached or the connection settings are unusable.

    Attributes:
        address: the `host:port` the connection was for (None when unknown).
        reason: what went wrong, with a hint on what to change.
    """

    def __init__(self, reason: str, *, address: str | None = None) -> None:
        self.address = address
        self.reason = reason
        super().__init__(f"Temporal at {address}: {reason}" if address else reason)


def tls_config(settings: Settings) -> bool | TLSConfig:
    """Build the `tls` argument of `Client.connect` from settings, reading certificate files.

    Same rules as temporalio's own environment config: TLS is on when an API key is set or any
    TLS setting is given, unless TLS is disabled explicitly.

    Raises:
        TemporalConnectionError: a certificate file cannot be read, or only one of the client
            certificate and key is set; the message names the file and the variable.
    """
    tls = settings.temporal_tls
    if tls is None:
        return settings.temporal_api_key is not None
    if tls.enabled is False:
        return False
    if (tls.client_cert is None) != (tls.client_private_key is None):
        given = tls.client_cert or tls.client_private_key
        assert given is not None
        raise TemporalConnectionError(
            f"{given.variable} is set but its counterpart is not: mTLS needs both "
            "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH"
        )
    return TLSConfig(
        domain=tls.server_name,
        server_root_ca_cert=_read_certificate(tls.server_root_ca_cert),
        client_cert=_read_certificate(tls.client_cert),
        client_private_key=_read_certificate(tls.client_private_key),
    )


def _read_certificate(source: CertificateSource | None) -> bytes | None:
    if source is None:
        return None
    if source.path is None:
        return source.data
    try:
        return source.path.read_bytes()
    except FileNotFoundError:
        reason = "file not found"
    except OSError as exc:
        reason = f"cannot read the file ({exc.strerror})"
    raise TemporalConnectionError(f"{source.variable}: {reason}: {source.path}")


async def connect(settings: Settings) -> Client:
    """Connect a Temporal client as the settings say, and check the namespace exists.

    The client belongs to the running event loop: connect once per loop (per thread).

    Args:
        settings: must carry a `temporal_address` (see `ensure_temporal` for the embedded case).

    Returns:
        A connected client for `settings.temporal_namespace`.

    Raises:
        TemporalConnectionError: no address, unreadable certificates, an unreachable server,
            rejected credentials or an unknown namespace; the message says which and what to do.
    """
    address = settings.temporal_address
    if address is None:
        raise TemporalConnectionError(
            "no Temporal address: set TEMPORAL_ADDRESS or start the embedded server with "
            "ensure_temporal(settings)"
        )
    tls = tls_config(settings)
    namespace = settings.temporal_namespace
    try:
        client = await Client.connect(
            address,
            namespace=namespace,
            api_key=settings.temporal_api_key,
            tls=tls,
            rpc_metadata=dict(settings.temporal_rpc_metadata),
        )
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace), timeout=timedelta(seconds=10)
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            reason = f"namespace {namespace!r} does not exist; check TEMPORAL_NAMESPACE"
        elif exc.status in (RPCStatusCode.UNAUTHENTICATED, RPCStatusCode.PERMISSION_DENIED):
            reason = f"credentials rejected ({exc.message}); check TEMPORAL_API_KEY and TLS certs"
        else:
            reason = f"{exc.status.name if exc.status else 'error'}: {exc.message}"
        raise TemporalConnectionError(reason, address=address) from exc
    except (RuntimeError, ValueError) as exc:  # how the SDK reports transport failures
        raise TemporalConnectionError(
            f"cannot connect ({_transport_reason(exc)}); is the server running? Check "
            "TEMPORAL_ADDRESS (host:port) and TLS settings, or unset TEMPORAL_ADDRESS to run "
            "the embedded dev server",
            address=address,
        ) from exc
    logger.info("connected to Temporal at %s, namespace %s", address, namespace)
    return client


def _transport_reason(exc: Exception) -> str:
    """Pick the readable part out of the SDK's nested transport error text."""
    text = str(exc)
    for marker, reason in (
        ("Connection refused", "connection refused"),
        ("dns error", "host name not found"),
        ("timed out", "timed out"),
        ("InvalidCertificate", "server certificate not trusted"),
        ("InvalidContentType", "TLS handshake failed: does this server use TLS?"),
    ):
        if marker in text:
            return reason
    return text


@dataclass(frozen=True)
class TemporalEndpoint:
    """Where Temporal is, and the embedded server behind it when the app started one.

    Attributes:
        settings: the settings with `temporal_address` filled in; pass them to `connect`.
        server: the embedded server, or None when an external cluster is configured.
    """

    settings: Settings
    server: EmbeddedTemporalServer | None = None

    @property
    def ui_url(self) -> str | None:
        """The Web UI of the embedded server (None for an external cluster)."""
        return self.server.ui_url if self.server else None

    def stop(self) -> None:
        """Stop the embedded server if this endpoint started one."""
        if self.server is not None:
            self.server.stop()


def ensure_temporal(settings: Settings) -> TemporalEndpoint:
    """Make sure a Temporal server is there: start the embedded one when no address is set.

    This does not connect: a client belongs to one event loop, so each part of the app (UI
    gateway, worker host) calls `connect(endpoint.settings)` in its own loop.

    Raises:
        EmbeddedServerError: the embedded server could not start.
    """
    if settings.temporal_address is not None:
        return TemporalEndpoint(settings=settings)
    server = EmbeddedTemporalServer.from_settings(settings)
    server.start()
    return TemporalEndpoint(
        settings=dataclasses.replace(settings, temporal_address=server.address), server=server
    )


def attach_temporal(settings: Settings) -> TemporalEndpoint:
    """Where a command-line tool finds Temporal: the configured cluster, else the app's
    embedded server when it is up (nothing to stop then), else an embedded server of its own.

    Raises:
        EmbeddedServerError: no server was up and the embedded one could not start.
    """
    if settings.temporal_address is None and port_in_use(settings.temporal_dev_port):
        address = f"127.0.0.1:{settings.temporal_dev_port}"
        return TemporalEndpoint(settings=dataclasses.replace(settings, temporal_address=address))
    return ensure_temporal(settings)
