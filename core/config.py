"""Settings from environment variables: the one place Workflow Builder reads the environment."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal, cast, get_args
from urllib.parse import urlsplit

from temporalio.envconfig import ClientConfigProfile, DataSource

from core.errors import WorkflowBuilderError

# No resolve(): workflow sandboxes forbid it, and a module import is absolute already.
REPO_ROOT = Path(__file__).parents[1]

_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$")
_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"0", "false"})
#: Defaults of the alert rules (``WB_ALERT_*``).
DEFAULT_ALERT_FAILURE_RATE = 20.0
DEFAULT_ALERT_MIN_RUNS = 5
DEFAULT_ALERT_WINDOW_MINUTES = 15.0
#: Values of ``WB_QUEUE_STRATEGY`` (a pool is set per queue, by scaling it, not here).
QueueStrategyName = Literal["per_workflow", "single"]
#: Values of ``WB_AUTH``: sign-in required, or none (allowed only on a loopback-bound console).
AuthMode = Literal["on", "off"]
#: Defaults of the sign-in session lifetimes (``WB_SESSION_*``).
DEFAULT_SESSION_IDLE_MINUTES = 8 * 60.0
DEFAULT_SESSION_MAX_HOURS = 7 * 24.0
#: Default of ``WB_RUN_STARTS_PER_MINUTE``.
DEFAULT_RUN_STARTS_PER_MINUTE = 60
#: Values of ``WB_LOG_FORMAT``.
LogFormat = Literal["text", "json"]
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(WorkflowBuilderError):
    """An environment variable holds a value Workflow Builder cannot use.

    Attributes:
        variable: the environment variable at fault (or two names joined by `` and ``).
        reason: what is wrong with its value.
    """

    def __init__(self, variable: str, reason: str) -> None:
        self.variable = variable
        self.reason = reason
        super().__init__(f"{variable}: {reason}")


@dataclass(frozen=True)
class EnvironmentVariable:
    """One documented environment variable (a row of the README table)."""

    name: str
    default: str
    meaning: str


_VARIABLES: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(
        "WB_DATA_DIR",
        "`<repo>/data`",
        "Folder for local state: SQLite database, Temporal dev server files, logs.",
    ),
    EnvironmentVariable(
        "DATABASE_URL",
        "SQLite file `workflow_builder.db` in the data folder",
        "SQLAlchemy URL of the database (`sqlite:///...` or `postgresql+psycopg://...`).",
    ),
    EnvironmentVariable(
        "DEPLOY_DIR",
        "`deployments` in the data folder",
        "Folder where deployed workflow bundles are written.",
    ),
    EnvironmentVariable(
        "TEMPORAL_ADDRESS",
        "unset: embedded dev server",
        "`host:port` of a Temporal cluster or Temporal Cloud; unset starts an embedded dev server.",
    ),
    EnvironmentVariable("TEMPORAL_NAMESPACE", "`default`", "Temporal namespace."),
    EnvironmentVariable(
        "TEMPORAL_API_KEY",
        "unset",
        "API key (Temporal Cloud); turns TLS on unless TLS is disabled explicitly.",
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS",
        "unset",
        "`true`/`false` (or `1`/`0`): force TLS on or off (read by temporalio).",
    ),
    EnvironmentVariable("TEMPORAL_TLS_ENABLED", "unset", "Alias of `TEMPORAL_TLS`."),
    EnvironmentVariable(
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        "unset",
        "Client certificate (PEM) for mTLS; `..._DATA` holds the PEM itself (read by temporalio).",
    ),
    EnvironmentVariable(
        "TEMPORAL_CLIENT_CERT_PATH", "unset", "Alias of `TEMPORAL_TLS_CLIENT_CERT_PATH`."
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
        "unset",
        "Client private key (PEM) for mTLS; `..._DATA` holds the PEM itself (read by temporalio).",
    ),
    EnvironmentVariable(
        "TEMPORAL_CLIENT_KEY_PATH", "unset", "Alias of `TEMPORAL_TLS_CLIENT_KEY_PATH`."
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
        "unset: system roots",
        "CA (PEM) that signed the server certificate; `..._DATA` holds the PEM (temporalio).",
    ),
    EnvironmentVariable(
        "TEMPORAL_SERVER_ROOT_CA_PATH", "unset", "Alias of `TEMPORAL_TLS_SERVER_CA_CERT_PATH`."
    ),
    EnvironmentVariable(
        "TEMPORAL_TLS_SERVER_NAME", "unset", "TLS server name (SNI) override (read by temporalio)."
    ),
    EnvironmentVariable(
        "TEMPORAL_GRPC_META_<NAME>",
        "unset",
        "Extra gRPC header `<name>` sent on every Temporal call (read by temporalio).",
    ),
    EnvironmentVariable(
        "TEMPORAL_CONFIG_FILE",
        "unset",
        "Temporal client TOML config file to read first (environment variables override it).",
    ),
    EnvironmentVariable(
        "TEMPORAL_PROFILE", "`default`", "Profile to use from `TEMPORAL_CONFIG_FILE`."
    ),
    EnvironmentVariable(
        "TEMPORAL_DEV_PORT",
        "`7233`",
        "gRPC port of the embedded dev server (`0` picks a free port).",
    ),
    EnvironmentVariable(
        "TEMPORAL_DEV_UI_PORT",
        "`8233`",
        "Web UI port of the embedded dev server (`0` picks a free port).",
    ),
    EnvironmentVariable(
        "WB_DEFAULT_TASK_QUEUE",
        "`workflow-builder`",
        "Base name of the task queues of workflows that name none (see `WB_QUEUE_STRATEGY`).",
    ),
    EnvironmentVariable(
        "WB_QUEUE_STRATEGY",
        "`per_workflow`",
        "Where a workflow naming no task queue runs: `per_workflow` (its own queue "
        "`<WB_DEFAULT_TASK_QUEUE>-<workflow name>`, own workers) or `single` (all on "
        "`WB_DEFAULT_TASK_QUEUE`, one worker for everything).",
    ),
    EnvironmentVariable(
        "WB_STANDALONE_QUEUES",
        "unset",
        "Comma-separated task queues the app runs no worker for: only standalone workers "
        "(`python -m core worker --task-queue Q`) serve them, say a step's queue of GPU machines.",
    ),
    EnvironmentVariable(
        "WB_ACTIVITY_MODULES",
        "unset",
        "Comma-separated importable modules that register extra activities (plugins).",
    ),
    EnvironmentVariable(
        "WB_WORKER_HEARTBEAT_SECONDS",
        "`10`",
        "Seconds between worker heartbeats written to the database.",
    ),
    EnvironmentVariable(
        "WB_HTTP_ALLOW",
        "unset: public addresses only",
        "Comma-separated host names and CIDR ranges `http_request` may reach although they are "
        "loopback, private or link-local (read by workers when a step runs).",
    ),
    EnvironmentVariable(
        "WB_HTTP_MAX_BYTES",
        "`10485760` (10 MiB)",
        "Largest response body `http_request` reads; a larger one fails the step.",
    ),
    EnvironmentVariable(
        "WB_RUN_RETENTION_DAYS",
        "`30`",
        "Days the run records of closed runs are kept (`0` keeps them for ever); Temporal's "
        "own retention applies to histories.",
    ),
    EnvironmentVariable(
        "WB_TEMPORAL_UI_URL",
        "unset: the embedded server's Web UI, on the host the browser reached the console at",
        "Base URL of a Temporal Web UI that links to runs open (for a cluster or Temporal Cloud).",
    ),
    EnvironmentVariable(
        "WB_LOG_FORMAT",
        "`text`",
        "`text` (readable lines) or `json` (one JSON object a line, with workflow, version, run, "
        "deployment and worker ids); also written to `logs/workflow-builder.log` in the data "
        "folder.",
    ),
    EnvironmentVariable(
        "WB_LOG_LEVEL",
        "`INFO` for the app and workers, `WARNING` for other commands",
        "Lowest level logged: `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`.",
    ),
    EnvironmentVariable(
        "WB_METRICS_ADDRESS",
        "unset: no metrics endpoint",
        "`host:port` where the app or a standalone worker serves Prometheus metrics "
        "(temporalio's and Workflow Builder's); see [operations](docs/operations.md).",
    ),
    EnvironmentVariable(
        "WB_ALERT_FAILURE_RATE",
        f"`{DEFAULT_ALERT_FAILURE_RATE:g}`",
        "Alert when more than this percentage of a workflow's runs started in the alert "
        "window failed (`100` turns the rule off).",
    ),
    EnvironmentVariable(
        "WB_ALERT_MIN_RUNS",
        f"`{DEFAULT_ALERT_MIN_RUNS}`",
        "Fewest runs in the alert window for the failure rate to alert.",
    ),
    EnvironmentVariable(
        "WB_ALERT_WINDOW_MINUTES",
        f"`{DEFAULT_ALERT_WINDOW_MINUTES:g}`",
        "Minutes back the failure rate counts runs, and a lost worker stays an alert.",
    ),
    EnvironmentVariable(
        "WB_ALERT_WEBHOOK_URL",
        "unset: alerts show in the console only",
        "URL that gets a JSON POST when an alert fires or clears (see [alerts](docs/alerts.md)).",
    ),
    EnvironmentVariable(
        "WB_AUTH",
        "`on`",
        "`on`: the console asks every visitor to sign in. `off`: no sign-in, everyone acts as "
        "the admin; refused unless the console is bound to loopback (`server.address` "
        "127.0.0.1, localhost or ::1).",
    ),
    EnvironmentVariable(
        "WB_ADMIN_USER",
        "unset: the console asks for the first admin account",
        "User name of an admin account created at start when no account exists yet "
        "(unattended installs; needs `WB_ADMIN_PASSWORD`).",
    ),
    EnvironmentVariable(
        "WB_ADMIN_PASSWORD",
        "unset",
        "Password of the `WB_ADMIN_USER` account created at start (at least 12 characters); "
        "ignored once any account exists.",
    ),
    EnvironmentVariable(
        "WB_SESSION_IDLE_MINUTES",
        f"`{DEFAULT_SESSION_IDLE_MINUTES:g}` (8 hours)",
        "A signed-in session unused for this many minutes ends; the user signs in again.",
    ),
    EnvironmentVariable(
        "WB_SESSION_MAX_HOURS",
        f"`{DEFAULT_SESSION_MAX_HOURS:g}` (7 days)",
        "A signed-in session ends this many hours after sign-in, however busy.",
    ),
    EnvironmentVariable(
        "WB_SECRET_KEY",
        "unset: the key file `secret.key` in the data folder, created on first start",
        "Fernet key (44 characters of URL-safe base64) that encrypts the stored secrets; every "
        "process using the database (app, standalone workers) needs the same key. "
        "Back it up: without it the secrets cannot be read.",
    ),
    EnvironmentVariable(
        "WB_RUN_STARTS_PER_MINUTE",
        f"`{DEFAULT_RUN_STARTS_PER_MINUTE}`",
        "Runs one user may start (run, rerun, reset) in any minute; more are refused with the "
        "time to wait. `0` turns the limit off. The process itself (CLI, schedules) is not "
        "limited.",
    ),
    EnvironmentVariable(
        "WB_DEFAULT_RUN_TIMEOUT",
        "unset: runs may last for ever",
        "Longest a run may last (`30m`, `4h`, `7d`) when its workflow sets no `run_timeout`; "
        "Temporal ends a run that takes longer as timed out.",
    ),
)

# The integration plan's names for what temporalio already reads under its own names (an
# exported bundle's worker.py maps them the same way, see core.compiler.worker_module).
TEMPORAL_VARIABLE_ALIASES: Mapping[str, str] = {
    "TEMPORAL_TLS_ENABLED": "TEMPORAL_TLS",
    "TEMPORAL_CLIENT_CERT_PATH": "TEMPORAL_TLS_CLIENT_CERT_PATH",
    "TEMPORAL_CLIENT_KEY_PATH": "TEMPORAL_TLS_CLIENT_KEY_PATH",
    "TEMPORAL_SERVER_ROOT_CA_PATH": "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
}


def environment_variables() -> tuple[EnvironmentVariable, ...]:
    """Return every environment variable Workflow Builder reads, with its default and meaning."""
    return _VARIABLES


def environment_variables_markdown() -> str:
    """Return the environment variable table as Markdown, as the README shows it."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    lines += [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in _VARIABLES]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class CertificateSource:
    """A PEM certificate or key given either as a file path or inline.

    Attributes:
        variable: the environment variable it came from, for error messages.
        path: the file holding the PEM, or None when given inline.
        data: the PEM itself when given inline (hidden from repr: it may be a private key).
    """

    variable: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TemporalTLS:
    """TLS settings for the Temporal client connection.

    Attributes:
        enabled: True/False when TLS was forced on/off, None when not said.
        server_name: SNI override.
        server_root_ca_cert: CA that signed the server certificate (None: system roots).
        client_cert: client certificate for mTLS.
        client_private_key: client private key for mTLS.
    """

    enabled: bool | None = None
    server_name: str | None = None
    server_root_ca_cert: CertificateSource | None = None
    client_cert: CertificateSource | None = None
    client_private_key: CertificateSource | None = None


@dataclass(frozen=True)
class Settings:
    """Everything configurable about Workflow Builder; build it with `load_settings`.

    Secrets (the API key, the database URL which may hold a password, gRPC metadata) are
    left out of the repr so settings can be logged.

    Attributes:
        data_dir: folder for local state (`WB_DATA_DIR`).
        database_url: SQLAlchemy URL (`DATABASE_URL`).
        deploy_dir: where deployed bundles are written (`DEPLOY_DIR`).
        temporal_address: `host:port` of the cluster; None means run the embedded server.
        temporal_namespace: Temporal namespace.
        temporal_api_key: API key, or None.
        temporal_tls: TLS settings, or None when none were given.
        temporal_rpc_metadata: extra gRPC headers (`TEMPORAL_GRPC_META_*`).
        temporal_dev_port: gRPC port of the embedded server (0: pick a free one).
        temporal_dev_ui_port: Web UI port of the embedded server (0: pick a free one).
        default_task_queue: base name of the task queues of workflows that name none.
        queue_strategy: ``per_workflow`` (a queue per workflow) or ``single`` (every
            workflow naming no queue on ``default_task_queue``); see ``core.fleet.placement``.
        activity_modules: importable plugin modules that register activities.
        standalone_queues: task queues the app leaves to standalone workers (its own worker
            manager serves none of them).
        worker_heartbeat_seconds: seconds between worker heartbeats.
        run_retention_days: days closed runs' records are kept (None: for ever).
        temporal_ui_url: base URL of the Temporal Web UI for links (None: the embedded one).
        alert_failure_rate: percent of failed runs above which a workflow alerts.
        alert_min_runs: fewest runs in the window for the failure rate to alert.
        alert_window_minutes: minutes the failure rate and lost workers look back.
        alert_webhook_url: where alerts are posted (hidden from repr: it may hold a token).
        log_format: ``text`` or ``json`` (``WB_LOG_FORMAT``).
        log_level: level name from ``WB_LOG_LEVEL``, None when unset (each process picks).
        metrics_address: ``host:port`` of the Prometheus endpoint, None for none.
        auth: ``on`` (sign-in required) or ``off`` (``WB_AUTH``; loopback consoles only).
        admin_user: the admin account to create at start, None for none.
        admin_password: its password (hidden from repr).
        session_idle_minutes: minutes a session may go unused before it ends.
        session_max_hours: hours a session lasts at most.
        secret_key: the Fernet key of the stored secrets (hidden from repr), None to use the
            key file in the data folder.
        run_starts_per_minute: runs one user may start in a minute (0: no limit).
        default_run_timeout: longest a run of a workflow without ``run_timeout`` may last
            (None: no limit).
    """

    data_dir: Path
    database_url: str = field(repr=False)
    deploy_dir: Path
    temporal_address: str | None
    temporal_namespace: str
    temporal_api_key: str | None = field(repr=False)
    temporal_tls: TemporalTLS | None
    temporal_rpc_metadata: Mapping[str, str] = field(repr=False)
    temporal_dev_port: int
    temporal_dev_ui_port: int
    default_task_queue: str
    queue_strategy: QueueStrategyName
    activity_modules: tuple[str, ...]
    worker_heartbeat_seconds: float
    run_retention_days: float | None = None
    temporal_ui_url: str | None = None
    alert_failure_rate: float = DEFAULT_ALERT_FAILURE_RATE
    alert_min_runs: int = DEFAULT_ALERT_MIN_RUNS
    alert_window_minutes: float = DEFAULT_ALERT_WINDOW_MINUTES
    alert_webhook_url: str | None = field(default=None, repr=False)
    log_format: LogFormat = "text"
    log_level: str | None = None
    metrics_address: str | None = None
    auth: AuthMode = "on"
    admin_user: str | None = None
    admin_password: str | None = field(default=None, repr=False)
    session_idle_minutes: float = DEFAULT_SESSION_IDLE_MINUTES
    session_max_hours: float = DEFAULT_SESSION_MAX_HOURS
    secret_key: str | None = field(default=None, repr=False)
    run_starts_per_minute: int = DEFAULT_RUN_STARTS_PER_MINUTE
    default_run_timeout: timedelta | None = None
    standalone_queues: frozenset[str] = frozenset()

    @property
    def embedded_temporal(self) -> bool:
        """True when no cluster is configured and the embedded dev server must run."""
        return self.temporal_address is None


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read settings from environment variables (see `environment_variables`).

    Temporal client variables (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
    `TEMPORAL_TLS*`, `TEMPORAL_GRPC_META_*`, and the optional `TEMPORAL_CONFIG_FILE` with
    `TEMPORAL_PROFILE`) are read by `temporalio.envconfig`, so they mean exactly what they
    mean to every other Temporal tool. Empty values count as unset.

    Args:
        environ: the environment to read; tests pass their own mapping.

    Returns:
        The settings.

    Raises:
        ConfigError: a variable holds an unusable value; the error names the variable.
    """
    env = {k: v for k, v in environ.items() if v.strip() != ""}
    data_dir = _path(env, "WB_DATA_DIR", REPO_ROOT / "data")
    profile = _temporal_profile(env)
    return Settings(
        data_dir=data_dir,
        database_url=env.get("DATABASE_URL", f"sqlite:///{data_dir / 'workflow_builder.db'}"),
        deploy_dir=_path(env, "DEPLOY_DIR", data_dir / "deployments"),
        temporal_address=_address(profile.address),
        temporal_namespace=profile.namespace or "default",
        temporal_api_key=profile.api_key or None,
        temporal_tls=_tls(env, profile),
        temporal_rpc_metadata=dict(profile.grpc_meta),
        temporal_dev_port=_port(env, "TEMPORAL_DEV_PORT", 7233),
        temporal_dev_ui_port=_port(env, "TEMPORAL_DEV_UI_PORT", 8233),
        default_task_queue=env.get("WB_DEFAULT_TASK_QUEUE", "workflow-builder").strip(),
        queue_strategy=_queue_strategy(env, "WB_QUEUE_STRATEGY"),
        activity_modules=_modules(env, "WB_ACTIVITY_MODULES"),
        standalone_queues=frozenset(
            part.strip() for part in env.get("WB_STANDALONE_QUEUES", "").split(",") if part.strip()
        ),
        worker_heartbeat_seconds=_positive_float(env, "WB_WORKER_HEARTBEAT_SECONDS", 10.0),
        run_retention_days=_retention_days(env, "WB_RUN_RETENTION_DAYS", 30.0),
        temporal_ui_url=env.get("WB_TEMPORAL_UI_URL", "").strip().rstrip("/") or None,
        alert_failure_rate=_percent(env, "WB_ALERT_FAILURE_RATE", DEFAULT_ALERT_FAILURE_RATE),
        alert_min_runs=_count(env, "WB_ALERT_MIN_RUNS", DEFAULT_ALERT_MIN_RUNS),
        alert_window_minutes=_positive_float(
            env, "WB_ALERT_WINDOW_MINUTES", DEFAULT_ALERT_WINDOW_MINUTES, unit="minutes"
        ),
        alert_webhook_url=_url(env, "WB_ALERT_WEBHOOK_URL"),
        log_format=_log_format(env, "WB_LOG_FORMAT"),
        log_level=_log_level(env, "WB_LOG_LEVEL"),
        metrics_address=_host_port(env, "WB_METRICS_ADDRESS"),
        auth=_auth(env, "WB_AUTH"),
        admin_user=env.get("WB_ADMIN_USER", "").strip() or None,
        admin_password=env.get("WB_ADMIN_PASSWORD"),
        session_idle_minutes=_positive_float(
            env, "WB_SESSION_IDLE_MINUTES", DEFAULT_SESSION_IDLE_MINUTES, unit="minutes"
        ),
        session_max_hours=_positive_float(
            env, "WB_SESSION_MAX_HOURS", DEFAULT_SESSION_MAX_HOURS, unit="hours"
        ),
        secret_key=_fernet_key(env, "WB_SECRET_KEY"),
        run_starts_per_minute=_count(
            env, "WB_RUN_STARTS_PER_MINUTE", DEFAULT_RUN_STARTS_PER_MINUTE, minimum=0
        ),
        default_run_timeout=_duration(env, "WB_DEFAULT_RUN_TIMEOUT"),
    )


def _temporal_profile(env: Mapping[str, str]) -> ClientConfigProfile:
    """Let temporalio read its own variables, after mapping the plan's alias names onto them."""
    merged = dict(env)
    for alias, name in TEMPORAL_VARIABLE_ALIASES.items():
        if alias in env:
            if name in env and env[name] != env[alias]:
                raise ConfigError(f"{name} and {alias}", "both are set to different values")
            merged[name] = env[alias]
    for name in ("TEMPORAL_TLS", "TEMPORAL_TLS_ENABLED"):
        if name in env:
            # temporalio silently ignores a value it does not understand (such as "yes").
            _boolean(env, name)
    config_file = env.get("TEMPORAL_CONFIG_FILE")
    if config_file is not None and not Path(config_file).is_file():
        raise ConfigError("TEMPORAL_CONFIG_FILE", f"file not found: {config_file}")
    try:
        # Without TEMPORAL_CONFIG_FILE no file is read: the user's ~/.config must not change
        # what a given environment means (and tests stay independent of the machine).
        return ClientConfigProfile.load(
            profile=env.get("TEMPORAL_PROFILE"),
            config_source=Path(config_file) if config_file else None,
            disable_file=config_file is None,
            override_env_vars=merged,
        )
    except Exception as exc:  # the bridge raises plain RuntimeError/ValueError
        raise ConfigError(
            "TEMPORAL_CONFIG_FILE", f"cannot load Temporal client config: {exc}"
        ) from exc


def _tls(env: Mapping[str, str], profile: ClientConfigProfile) -> TemporalTLS | None:
    tls = profile.tls
    if tls is None:
        return None
    return TemporalTLS(
        enabled=None if tls.disabled is None else not tls.disabled,
        server_name=tls.server_name,
        server_root_ca_cert=_certificate(
            env, "TEMPORAL_TLS_SERVER_CA_CERT_PATH", tls.server_root_ca_cert
        ),
        client_cert=_certificate(env, "TEMPORAL_TLS_CLIENT_CERT_PATH", tls.client_cert),
        client_private_key=_certificate(
            env, "TEMPORAL_TLS_CLIENT_KEY_PATH", tls.client_private_key
        ),
    )


def _certificate(
    env: Mapping[str, str], path_variable: str, source: DataSource | None
) -> CertificateSource | None:
    """Wrap a temporalio certificate source, remembering the variable the user actually set."""
    if source is None:
        return None
    if isinstance(source, Path):
        candidates = [
            path_variable,
            *(a for a, n in TEMPORAL_VARIABLE_ALIASES.items() if n == path_variable),
        ]
        variable = next((c for c in candidates if c in env), "TEMPORAL_CONFIG_FILE")
        return CertificateSource(variable=variable, path=source)
    data_variable = path_variable.removesuffix("_PATH") + "_DATA"
    variable = data_variable if data_variable in env else "TEMPORAL_CONFIG_FILE"
    data = source.encode() if isinstance(source, str) else source
    return CertificateSource(variable=variable, data=data)


def _address(address: str | None) -> str | None:
    if address and not _HOST_PORT.match(address):
        raise ConfigError("TEMPORAL_ADDRESS", f"expected host:port (no scheme), got {address!r}")
    return address or None


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name)
    return default if raw is None else Path(raw).expanduser().resolve()


def _boolean(env: Mapping[str, str], name: str) -> bool:
    raw = env[name].strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(name, f"expected true/false or 1/0, got {env[name]!r}")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(name, f"expected a port number, got {raw!r}") from None
    if not 0 <= port <= 65535:
        raise ConfigError(name, f"port must be between 0 and 65535, got {port}")
    return port


def _positive_float(
    env: Mapping[str, str], name: str, default: float, *, unit: str = "seconds"
) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(name, f"expected a number of {unit}, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(name, f"must be a positive number of {unit}, got {raw!r}")
    return value


def _retention_days(env: Mapping[str, str], name: str, default: float) -> float | None:
    """Days to keep records: a positive number, or 0 for ever (None)."""
    raw = env.get(name)
    if raw is None:
        return default
    try:
        days = float(raw)
    except ValueError:
        raise ConfigError(name, f"expected a number of days, got {raw!r}") from None
    if days < 0 or days != days:  # NaN is not a number of days either
        raise ConfigError(name, f"expected 0 (keep for ever) or a positive number, got {raw!r}")
    return days or None


def _queue_strategy(env: Mapping[str, str], name: str) -> QueueStrategyName:
    raw = env.get(name, "per_workflow").strip()
    allowed = get_args(QueueStrategyName)
    if raw not in allowed:
        raise ConfigError(name, f"expected one of {', '.join(allowed)}, got {raw!r}")
    return cast(QueueStrategyName, raw)


def _log_format(env: Mapping[str, str], name: str) -> LogFormat:
    raw = env.get(name, "text").strip().lower()
    if raw not in get_args(LogFormat):
        raise ConfigError(name, f"expected text or json, got {env[name]!r}")
    return cast(LogFormat, raw)


def _auth(env: Mapping[str, str], name: str) -> AuthMode:
    raw = env.get(name, "on").strip().lower()
    if raw not in get_args(AuthMode):
        raise ConfigError(name, f"expected on or off, got {env[name]!r}")
    return cast(AuthMode, raw)


def _log_level(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None:
        return None
    level = raw.strip().upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(name, f"expected one of {', '.join(_LOG_LEVELS)}, got {raw!r}")
    return level


def _host_port(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None:
        return None
    address = raw.strip()
    if not _HOST_PORT.match(address) or not 0 < int(address.rsplit(":", 1)[1]) <= 65535:
        raise ConfigError(name, f"expected host:port (no scheme), got {raw!r}")
    return address


def _modules(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "")
    modules = tuple(part.strip() for part in raw.split(",") if part.strip())
    for module in modules:
        if not _MODULE_NAME.match(module):
            raise ConfigError(name, f"{module!r} is not an importable module name")
    return modules


def _percent(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        value = float(raw.strip().removesuffix("%"))
    except ValueError:
        raise ConfigError(name, f"expected a percentage, got {raw!r}") from None
    if not 0 <= value <= 100:
        raise ConfigError(name, f"expected a percentage from 0 to 100, got {raw!r}")
    return value


def _count(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise ConfigError(name, f"expected a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def _fernet_key(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None:
        return None
    key = raw.strip()
    try:
        valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
    except (binascii.Error, ValueError):
        valid = False
    if not valid:
        # The value is not repeated: it is (nearly) the key.
        raise ConfigError(
            name,
            "expected a Fernet key: 32 bytes in URL-safe base64 (make one with python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')",
        )
    return key


def _duration(env: Mapping[str, str], name: str) -> timedelta | None:
    raw = env.get(name)
    if raw is None:
        return None
    # Imported here: graph values pull in pydantic, which commands without this setting skip.
    from core.graph.values import parse_duration

    try:
        return parse_duration(raw.strip())
    except ValueError as error:
        raise ConfigError(name, str(error)) from None


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None:
        return None
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # The value is not repeated: a webhook URL often carries a secret token.
        raise ConfigError(name, "expected an http:// or https:// URL")
    return url
