"""Temporal plumbing: the embedded dev server and client connections."""

from core.temporal.connection import (
    TemporalConnectionError,
    TemporalEndpoint,
    attach_temporal,
    connect,
    ensure_temporal,
    tls_config,
)
from core.temporal.dev_server import (
    EmbeddedServerError,
    EmbeddedTemporalServer,
    find_temporal_cli,
    free_port,
)

__all__ = [
    "EmbeddedServerError",
    "EmbeddedTemporalServer",
    "TemporalConnectionError",
    "TemporalEndpoint",
    "attach_temporal",
    "connect",
    "ensure_temporal",
    "find_temporal_cli",
    "free_port",
    "tls_config",
]
