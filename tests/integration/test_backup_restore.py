"""Backup while the app runs, wipe, restore: deployed versions serve, schedules fire again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text

from core.backup import read_manifest
from core.config import Settings, load_settings
from core.db import create_engine_for, normalize_url
from core.examples import get_example
from core.secrets import KEY_FILE, SecretBox, SecretValue, load_key
from core.services import AppServices, build_services

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
#: Every two seconds (Temporal's seven-field cron: second first, year last).
EVERY_TWO_SECONDS = "*/2 * * * * * *"


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return found


def core_command(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wipe_database(url: str) -> None:
    if url.startswith("sqlite"):
        return  # its file is in the data folder, which goes as a whole
    engine = create_engine_for(normalize_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def every_two_seconds(name: str) -> str:
    document = json.loads(json.dumps(get_example("scheduled_report").document))
    document["workflow"]["name"] = name
    [start] = [node for node in document["nodes"] if node["type"] == "start"]
    start["params"]["trigger"]["cron"] = EVERY_TWO_SECONDS
    return json.dumps(document)


def test_backup_wipe_restore_serves_the_deployed_versions_and_fires_schedules(
    database_url: str, tmp_path: Path
):
    data = tmp_path / "data"
    environ = {
        "WB_DATA_DIR": str(data),
        "DATABASE_URL": database_url,
        "TEMPORAL_DEV_PORT": "0",  # the app's own embedded server, with its file in data/
        "TEMPORAL_DEV_UI_PORT": "0",
        "WB_DEFAULT_TASK_QUEUE": f"backup-{uuid.uuid4().hex[:8]}",
    }
    settings: Settings = load_settings(environ)
    backup = tmp_path / "backups" / "wb.tar.gz"
    reporter = f"report_{uuid.uuid4().hex[:8]}"

    services = build_services(settings)
    try:
        greeter = services.workflows.create_from_example("hello_activity", name="greeter")
        services.deploy.deploy(greeter.id)
        before = services.runs.start(greeter.id, {"name": "Ann"})
        assert services.runs.wait(before, timeout=30).result == "Hello, Ann!"
        report = services.workflows.import_document(every_two_seconds(reporter))
        services.deploy.deploy(report.id)
        services.secrets.create("crm_token", SecretValue("s3cret-value"))
        wait_for("the schedule to fire", lambda: services.schedules.status(reporter).fired)

        taken = core_command(environ, "backup", str(backup))  # while everything runs
        assert taken.returncode == 0, taken.stderr
        assert "not included: the secret key" in taken.stdout
    finally:
        services.close()
    key = (data / KEY_FILE).read_bytes()
    manifest = read_manifest(backup)
    assert (manifest.workflows, manifest.deployments, manifest.schedules) == (2, 2, 1)
    assert manifest.secrets == 1 and manifest.temporal and manifest.bundles == 2

    shutil.rmtree(data)
    wipe_database(database_url)
    # Into another deploy folder than the one backed up: deployments follow their bundles.
    environ["DEPLOY_DIR"] = str(tmp_path / "bundles")
    settings = load_settings(environ)
    restored = core_command(environ, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "warning: 1 secrets need the key" in restored.stdout
    (data / KEY_FILE).write_bytes(key)  # what the operator does, as the warning says

    again = core_command(environ, "restore", str(backup))
    assert again.returncode == 1
    assert "restore needs an empty installation" in again.stderr
    assert f"the data folder {data} is not empty" in again.stderr

    services = build_services(settings)
    try:
        assert_restored(services, greeter.id, before.workflow_id, reporter)
        box = SecretBox(load_key(settings, create=False))
        token = services.database.secrets.ciphertext("crm_token")
        assert token is not None and box.open(token, name="crm_token") == "s3cret-value"
    finally:
        services.schedules.remove(reporter)
        services.close()


def assert_restored(services: AppServices, workflow_id: int, old_run: str, reporter: str) -> None:
    # The deployed version serves new runs, from the bundle it was deployed with.
    [deployment] = services.deploy.deployments(workflow_id)
    assert Path(deployment.bundle_dir).parent == services.settings.deploy_dir
    assert Path(deployment.bundle_dir).is_dir()
    ref = services.runs.start(workflow_id, {"name": "Bo"})
    assert services.runs.wait(ref, timeout=30).result == "Hello, Bo!"
    # The embedded server's state came back too: the run from before the backup is there.
    gateway = services.temporal.gateway
    handle = gateway.client.get_workflow_handle(old_run)
    assert gateway.call(handle.result()) == "Hello, Ann!"
    # The schedule fires again, and its runs complete on the restored workers.
    fired = services.schedules.status(reporter).fired
    wait_for(
        "the restored schedule to fire again",
        lambda: (status := services.schedules.status(reporter)) and status.fired > fired + 1,
    )
