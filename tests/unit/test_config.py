"""load_settings: defaults, every variable, clear errors, and secrets kept out of reprs."""

from __future__ import annotations

import ast
import inspect
import re
from datetime import timedelta
from pathlib import Path

import pytest

from core import config
from core.config import (
    REPO_ROOT,
    CertificateSource,
    ConfigError,
    TemporalTLS,
    environment_variables,
    environment_variables_markdown,
    load_settings,
)


def test_defaults_run_everything_locally() -> None:
    settings = load_settings({})

    assert settings.data_dir == REPO_ROOT / "data"
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'data' / 'workflow_builder.db'}"
    assert settings.deploy_dir == REPO_ROOT / "data" / "deployments"
    assert settings.temporal_address is None
    assert settings.embedded_temporal
    assert settings.temporal_namespace == "default"
    assert settings.temporal_api_key is None
    assert settings.temporal_tls is None
    assert settings.temporal_rpc_metadata == {}
    assert settings.temporal_dev_port == 7233
    assert settings.temporal_dev_ui_port == 8233
    assert settings.default_task_queue == "workflow-builder"
    assert settings.queue_strategy == "per_workflow"
    assert settings.activity_modules == ()
    assert settings.standalone_queues == frozenset()
    assert settings.worker_heartbeat_seconds == 10.0


def test_every_variable_is_read(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "WB_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgresql+psycopg://wb:pw@db/wb",
            "DEPLOY_DIR": str(tmp_path / "bundles"),
            "TEMPORAL_ADDRESS": "temporal.example:7233",
            "TEMPORAL_NAMESPACE": "orders",
            "TEMPORAL_API_KEY": "key-123",
            "TEMPORAL_GRPC_META_X_TEAM": "ops",
            "TEMPORAL_DEV_PORT": "0",
            "TEMPORAL_DEV_UI_PORT": "9000",
            "WB_DEFAULT_TASK_QUEUE": "main",
            "WB_QUEUE_STRATEGY": "single",
            "WB_ACTIVITY_MODULES": "plugins.billing, plugins.mail ,",
            "WB_STANDALONE_QUEUES": " gpu,, io ",
            "WB_WORKER_HEARTBEAT_SECONDS": "2.5",
        }
    )

    assert settings.data_dir == tmp_path
    assert settings.database_url == "postgresql+psycopg://wb:pw@db/wb"
    assert settings.deploy_dir == tmp_path / "bundles"
    assert settings.temporal_address == "temporal.example:7233"
    assert not settings.embedded_temporal
    assert settings.temporal_namespace == "orders"
    assert settings.temporal_api_key == "key-123"
    assert settings.temporal_rpc_metadata == {"x-team": "ops"}
    assert settings.temporal_dev_port == 0
    assert settings.temporal_dev_ui_port == 9000
    assert settings.default_task_queue == "main"
    assert settings.queue_strategy == "single"
    assert settings.activity_modules == ("plugins.billing", "plugins.mail")
    assert settings.standalone_queues == {"gpu", "io"}
    assert settings.worker_heartbeat_seconds == 2.5


def test_run_limits_default_and_read() -> None:
    defaults = load_settings({})
    assert defaults.run_starts_per_minute == 60
    assert defaults.default_run_timeout is None

    settings = load_settings({"WB_RUN_STARTS_PER_MINUTE": "0", "WB_DEFAULT_RUN_TIMEOUT": " 1h30m "})
    assert settings.run_starts_per_minute == 0  # no limit
    assert settings.default_run_timeout == timedelta(hours=1, minutes=30)


def test_sign_in_settings_default_and_read() -> None:
    defaults = load_settings({})
    assert (defaults.auth, defaults.admin_user, defaults.admin_password) == ("on", None, None)
    assert (defaults.session_idle_minutes, defaults.session_max_hours) == (480, 168)

    settings = load_settings(
        {
            "WB_AUTH": "OFF",
            "WB_ADMIN_USER": " ops ",
            "WB_ADMIN_PASSWORD": "a long password",
            "WB_SESSION_IDLE_MINUTES": "0.5",
            "WB_SESSION_MAX_HOURS": "12",
        }
    )
    assert (settings.auth, settings.admin_user, settings.admin_password) == (
        "off",
        "ops",
        "a long password",
    )
    assert (settings.session_idle_minutes, settings.session_max_hours) == (0.5, 12)


def test_data_dir_moves_the_derived_defaults(tmp_path: Path) -> None:
    settings = load_settings({"WB_DATA_DIR": str(tmp_path)})

    assert settings.database_url == f"sqlite:///{tmp_path / 'workflow_builder.db'}"
    assert settings.deploy_dir == tmp_path / "deployments"


def test_empty_values_count_as_unset() -> None:
    settings = load_settings({"TEMPORAL_ADDRESS": "", "TEMPORAL_DEV_PORT": " "})

    assert settings.temporal_address is None
    assert settings.temporal_dev_port == 7233


def test_temporalio_tls_variables() -> None:
    settings = load_settings(
        {
            "TEMPORAL_TLS": "true",
            "TEMPORAL_TLS_SERVER_NAME": "tmprl.example",
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/certs/ca.pem",
            "TEMPORAL_TLS_CLIENT_CERT_PATH": "/certs/client.pem",
            "TEMPORAL_TLS_CLIENT_KEY_DATA": "-----BEGIN PRIVATE KEY-----",
        }
    )

    assert settings.temporal_tls == TemporalTLS(
        enabled=True,
        server_name="tmprl.example",
        server_root_ca_cert=CertificateSource(
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH", Path("/certs/ca.pem")
        ),
        client_cert=CertificateSource("TEMPORAL_TLS_CLIENT_CERT_PATH", Path("/certs/client.pem")),
        client_private_key=CertificateSource(
            "TEMPORAL_TLS_CLIENT_KEY_DATA", data=b"-----BEGIN PRIVATE KEY-----"
        ),
    )


def test_integration_plan_tls_names_are_aliases() -> None:
    settings = load_settings(
        {
            "TEMPORAL_TLS_ENABLED": "0",
            "TEMPORAL_CLIENT_CERT_PATH": "/c.pem",
            "TEMPORAL_CLIENT_KEY_PATH": "/c.key",
            "TEMPORAL_SERVER_ROOT_CA_PATH": "/ca.pem",
        }
    )

    assert settings.temporal_tls == TemporalTLS(
        enabled=False,
        server_root_ca_cert=CertificateSource("TEMPORAL_SERVER_ROOT_CA_PATH", Path("/ca.pem")),
        client_cert=CertificateSource("TEMPORAL_CLIENT_CERT_PATH", Path("/c.pem")),
        client_private_key=CertificateSource("TEMPORAL_CLIENT_KEY_PATH", Path("/c.key")),
    )


def test_temporal_config_file_profile(tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(
        '[profile.cloud]\naddress = "ns.acct.tmprl.cloud:7233"\nnamespace = "ns.acct"\n'
        'api_key = "from-file"\n'
    )

    settings = load_settings({"TEMPORAL_CONFIG_FILE": str(config), "TEMPORAL_PROFILE": "cloud"})

    assert settings.temporal_address == "ns.acct.tmprl.cloud:7233"
    assert settings.temporal_namespace == "ns.acct"
    assert settings.temporal_api_key == "from-file"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"TEMPORAL_ADDRESS": "http://temporal:7233"}, "TEMPORAL_ADDRESS"),
        ({"TEMPORAL_ADDRESS": "temporal"}, "TEMPORAL_ADDRESS"),
        ({"TEMPORAL_DEV_PORT": "http"}, "TEMPORAL_DEV_PORT"),
        ({"TEMPORAL_DEV_UI_PORT": "70000"}, "TEMPORAL_DEV_UI_PORT"),
        ({"WB_WORKER_HEARTBEAT_SECONDS": "soon"}, "WB_WORKER_HEARTBEAT_SECONDS"),
        ({"WB_WORKER_HEARTBEAT_SECONDS": "0"}, "WB_WORKER_HEARTBEAT_SECONDS"),
        ({"WB_WORKER_HEARTBEAT_SECONDS": "nan"}, "WB_WORKER_HEARTBEAT_SECONDS"),
        ({"WB_ACTIVITY_MODULES": "good.mod, bad-mod"}, "WB_ACTIVITY_MODULES"),
        ({"WB_QUEUE_STRATEGY": "pool"}, "WB_QUEUE_STRATEGY"),
        ({"WB_QUEUE_STRATEGY": "Single"}, "WB_QUEUE_STRATEGY"),
        ({"TEMPORAL_TLS": "yes"}, "TEMPORAL_TLS"),
        ({"TEMPORAL_TLS_ENABLED": "on"}, "TEMPORAL_TLS_ENABLED"),
        ({"TEMPORAL_CONFIG_FILE": "/no/such/temporal.toml"}, "TEMPORAL_CONFIG_FILE"),
        ({"WB_ALERT_FAILURE_RATE": "120"}, "WB_ALERT_FAILURE_RATE"),
        ({"WB_ALERT_FAILURE_RATE": "a fifth"}, "WB_ALERT_FAILURE_RATE"),
        ({"WB_ALERT_MIN_RUNS": "0"}, "WB_ALERT_MIN_RUNS"),
        ({"WB_ALERT_WINDOW_MINUTES": "-5"}, "WB_ALERT_WINDOW_MINUTES"),
        ({"WB_ALERT_WEBHOOK_URL": "hooks.example/t0k"}, "WB_ALERT_WEBHOOK_URL"),
        ({"WB_RUN_STARTS_PER_MINUTE": "-1"}, "WB_RUN_STARTS_PER_MINUTE"),
        ({"WB_RUN_STARTS_PER_MINUTE": "lots"}, "WB_RUN_STARTS_PER_MINUTE"),
        ({"WB_DEFAULT_RUN_TIMEOUT": "an hour"}, "WB_DEFAULT_RUN_TIMEOUT"),
        ({"WB_DEFAULT_RUN_TIMEOUT": "0s"}, "WB_DEFAULT_RUN_TIMEOUT"),
        ({"WB_AUTH": "no"}, "WB_AUTH"),
        ({"WB_SESSION_IDLE_MINUTES": "0"}, "WB_SESSION_IDLE_MINUTES"),
        ({"WB_SESSION_MAX_HOURS": "a week"}, "WB_SESSION_MAX_HOURS"),
        (
            {"TEMPORAL_CLIENT_CERT_PATH": "/a.pem", "TEMPORAL_TLS_CLIENT_CERT_PATH": "/b.pem"},
            "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_CLIENT_CERT_PATH",
        ),
    ],
)
def test_invalid_values_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)

    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}: ")


def test_secrets_stay_out_of_the_repr() -> None:
    settings = load_settings(
        {
            "TEMPORAL_API_KEY": "key-s3cr3t",
            "DATABASE_URL": "postgresql+psycopg://wb:pw-s3cr3t@db/wb",
            "TEMPORAL_GRPC_META_AUTHORIZATION": "Bearer tok-s3cr3t",
            "TEMPORAL_TLS_CLIENT_KEY_DATA": "pem-s3cr3t",
            "TEMPORAL_TLS_CLIENT_CERT_DATA": "cert",
            "WB_ALERT_WEBHOOK_URL": "https://hooks.example/services/s3cr3t",
            "WB_ADMIN_PASSWORD": "pw-s3cr3t-long-enough",
        }
    )

    assert "s3cr3t" not in repr(settings)
    assert "s3cr3t" not in str(settings)


def test_the_variable_table_documents_every_variable_config_reads() -> None:
    source = Path(inspect.getfile(config)).read_text()
    names = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"(WB|TEMPORAL|DATABASE|DEPLOY)_[A-Z0-9_]+", node.value)
    }

    assert names, "no variable names found: the scan is broken"
    assert names <= {v.name for v in environment_variables()}


def test_markdown_table_has_a_row_per_variable() -> None:
    rows = environment_variables_markdown().splitlines()[2:]

    assert [row.split("`")[1] for row in rows] == [v.name for v in environment_variables()]
