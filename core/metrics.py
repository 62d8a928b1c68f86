"""Prometheus metrics: temporalio's runtime series and Workflow Builder's own, on one address.

When ``WB_METRICS_ADDRESS`` is set, :func:`serve_metrics` makes temporalio's runtime export its
metrics (``temporal_*``) on a private loopback port and serves, on the configured address,
``/metrics`` with Workflow Builder's series (``wb_*``) followed by temporalio's, fetched from
that port at each scrape: one scrape target per process. The counters below count whether or
not anything is served.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

from core.config import Settings
from core.db import Database, WorkerStatus
from core.errors import WorkflowBuilderError

logger = logging.getLogger(__name__)

#: Workflow Builder's own series (temporalio's come from its runtime).
REGISTRY = CollectorRegistry()
DEPLOYS = Counter(
    "wb_deploys",
    "Deploys and rollbacks, by outcome (deployed, unchanged, failed).",
    ["outcome"],
    registry=REGISTRY,
)
RUNS_STARTED = Counter(
    "wb_runs_started",
    "Runs started through Workflow Builder (console, command line), by workflow name.",
    ["workflow"],
    registry=REGISTRY,
)
# The run monitor's lease row (see core.runs.RunMonitor).
_MONITOR = "runs"
# How long a scrape waits for temporalio's own endpoint.
_TEMPORAL_SCRAPE_TIMEOUT = 2.0


class MetricsError(WorkflowBuilderError):
    """The metrics endpoint cannot be served (say the address is taken)."""


class FleetCollector(Collector):
    """Figures read from the database at each scrape: workers by status, run monitor lag.

    They describe the whole fleet (every process shares the database), so each scrape target
    reports the same values.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        workers = GaugeMetricFamily(
            "wb_workers",
            "Registered workers, by status (lost ones count as failed).",
            labels=["status"],
        )
        counts = dict.fromkeys(WorkerStatus, 0)
        for worker in self._db.workers.find():
            counts[worker.status] += 1
        for status, count in counts.items():
            workers.add_metric([status.value], count)
        yield workers
        state = self._db.monitor.state(_MONITOR)
        if state is not None and state.last_sync_at is not None:
            lag = (datetime.now(UTC) - state.last_sync_at).total_seconds()
            yield GaugeMetricFamily(
                "wb_run_monitor_lag_seconds",
                "Seconds since the run monitor's last pass (it runs about every second).",
                value=max(lag, 0.0),
            )
            yield GaugeMetricFamily(
                "wb_run_monitor_failing",
                "1 when the run monitor's last pass failed, else 0.",
                value=1.0 if state.last_error else 0.0,
            )


class MetricsServer:
    """The ``/metrics`` endpoint of one process, served from a daemon thread."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        """``host:port`` the endpoint listens on."""
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def close(self) -> None:
        """Stop serving (temporalio's runtime keeps its private port until the process ends)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def serve_metrics(settings: Settings, database: Database) -> MetricsServer | None:
    """Serve ``/metrics`` on ``settings.metrics_address`` (None when it is unset).

    Call it before any Temporal client or worker of the process is created: temporalio's
    runtime is chosen when a client connects, and only clients made after this export metrics.

    Raises:
        MetricsError: the address cannot be listened on.
    """
    if settings.metrics_address is None:
        return None
    from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

    from core.temporal import free_port

    temporal_url = f"127.0.0.1:{free_port()}"
    runtime = Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=temporal_url))
    )
    # The process's default runtime is what every client connects with (core.temporal.connect).
    Runtime.set_default(runtime, error_if_already_set=False)
    fleet = CollectorRegistry()
    fleet.register(FleetCollector(database))
    handler = _handler((REGISTRY, fleet), f"http://{temporal_url}/metrics")
    host, _, port = settings.metrics_address.rpartition(":")
    try:
        server = ThreadingHTTPServer((host.strip("[]"), int(port)), handler)
    except OSError as error:
        raise MetricsError(
            f"WB_METRICS_ADDRESS={settings.metrics_address}: cannot listen ({error.strerror})"
        ) from error
    metrics = MetricsServer(server)
    logger.info("Prometheus metrics on http://%s/metrics", metrics.address)
    return metrics


def exposition(registries: tuple[CollectorRegistry, ...], temporal_url: str) -> bytes:
    """What a scrape gets: our series, then temporalio's (none while it is unreachable)."""
    body = b"".join(generate_latest(registry) for registry in registries)
    try:
        with urllib.request.urlopen(temporal_url, timeout=_TEMPORAL_SCRAPE_TIMEOUT) as answer:
            return body + answer.read()
    except OSError as error:  # our series are still worth serving without temporalio's
        logger.warning("temporalio's metrics are unavailable: %s", error)
        return body


def _handler(
    registries: tuple[CollectorRegistry, ...], temporal_url: str
) -> type[BaseHTTPRequestHandler]:
    class MetricsHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 -- the name http.server calls
            if self.path.split("?", 1)[0] not in ("/metrics", "/"):
                self.send_error(404, "only /metrics is served here")
                return
            body = exposition(registries, temporal_url)
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE_PLAIN_0_0_4)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 -- base name
            logger.debug("metrics request: " + format, *args)

    return MetricsHandler
