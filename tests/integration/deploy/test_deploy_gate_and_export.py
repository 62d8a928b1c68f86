"""Deploy-time determinism gate, plugin import failures, and exported zips running on their own."""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from core.activities import ActivityRegistry, load_registry
from core.compiler import pipeline as compiler_pipeline
from core.deploy import DeployError, DeterminismError, StepStatus
from core.deploy import pipeline as deploy_pipeline
from core.fleet.code import compile_version
from core.nodes.kinds import activity as activity_kind
from core.runtime import BundleStore, load_bundle
from tests.integration.deploy.helpers import DeployWorld, node, wait_until

PLUGIN_MODULE = "deploy_test_plugin"
PLUGIN_SOURCE = '''
import os

from temporalio import activity

if os.path.exists(os.environ["DEPLOY_TEST_PLUGIN_BROKEN"]):
    raise RuntimeError("the plugin's settings file is missing")


@activity.defn(name="shout")
async def shout(text: str) -> str:
    """Upper-case the text."""
    return text.upper() + "!"
'''


def renaming_activity_types(original):
    def renamed(node_, params, registry):
        stmt = original(node_, params, registry)
        for item in ast.walk(stmt):
            if isinstance(item, ast.Call) and ast.unparse(item.func) in (
                "workflow.execute_activity",
                "workflow.execute_local_activity",
            ):
                item.args[0] = ast.Constant(item.args[0].value + "_renamed")
        return stmt

    return renamed


def test_a_compiler_upgrade_is_a_new_version_and_runs_keep_the_code_they_started_with(
    world: DeployWorld, monkeypatch: pytest.MonkeyPatch
):
    workflow = world.create("hello_activity")
    v1 = world.service.deploy(workflow.id)
    assert world.run_to_end(v1, name="Ann") == "Hello, Ann!"
    deployed_with = compiler_pipeline.COMPILER_VERSION

    # New code that could not replay v1's runs: it only ever runs v2's.
    monkeypatch.setattr(compiler_pipeline, "COMPILER_VERSION", "99")
    monkeypatch.setattr(
        activity_kind, "call_statement", renaming_activity_types(activity_kind.call_statement)
    )
    upgraded = world.service.deploy(workflow.id)
    replay = next(s for s in upgraded.steps if s.name == "replay")
    assert "1 run(s)" in replay.message and f"{deployed_with} -> 99" in replay.message
    assert upgraded.version.version == 2 and upgraded.version.compiler_version == "99"
    assert (
        "echo_renamed" in world.database.versions.bundle_files(upgraded.version.id)["workflow.py"]
    )
    # v1's runs are served by v1's kept bundle, byte for byte, even from a worker without
    # the deploy folder (as on another machine).
    shutil.rmtree(v1.deployment.bundle_dir)
    world.manager.restart_queue(v1.deployment.task_queue)
    assert world.run_to_end(v1, name="Bo") == "Hello, Bo!"


def test_the_gate_refuses_when_the_code_serving_the_runs_no_longer_replays_them(
    world: DeployWorld, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    workflow = world.create("hello_activity")
    v1 = world.service.deploy(workflow.id)
    assert world.run_to_end(v1, name="Ann") == "Hello, Ann!"

    def serving_code_that_no_longer_replays(database, deployment, *, store, registry):
        # What a temporalio upgrade that broke replay would look like: the code serving v1,
        # as this process loads it, no longer replays v1's runs.
        with monkeypatch.context() as patched:
            patched.setattr(
                activity_kind,
                "call_statement",
                renaming_activity_types(activity_kind.call_statement),
            )
            version = database.versions.get_by_id(deployment.version_id)
            bundle = compile_version(
                version, registry=registry, default_task_queue=deployment.task_queue
            )
        return load_bundle(BundleStore(tmp_path / "other").write(bundle))

    monkeypatch.setattr(deploy_pipeline, "load_deployment", serving_code_that_no_longer_replays)
    monkeypatch.setattr(compiler_pipeline, "COMPILER_VERSION", "99")
    reports = []
    with pytest.raises(DeterminismError) as info:
        world.service.deploy(workflow.id, progress=reports.append)
    assert "echo_renamed" in str(info.value)
    assert (reports[-1].name, reports[-1].status) == ("replay", StepStatus.FAILED)
    assert [v.version for v in world.service.versions(workflow.id)] == [1]
    assert world.service.active(workflow.id).id == v1.deployment.id


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plugin module on sys.path that fails to import once its flag file exists."""
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / f"{PLUGIN_MODULE}.py").write_text(PLUGIN_SOURCE)
    flag = tmp_path / "broken"
    monkeypatch.setenv("DEPLOY_TEST_PLUGIN_BROKEN", str(flag))
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, PLUGIN_MODULE, raising=False)
    return flag


@pytest.fixture
def registry(plugin: Path) -> ActivityRegistry:
    return load_registry((PLUGIN_MODULE,))


def use_shout(document: dict) -> None:
    greet = node(document, "greet")["params"]
    greet["activity"] = "shout"
    greet["args"] = {"text": {"expr": "input.name"}}


def test_a_plugin_that_fails_to_import_keeps_v1_and_creates_no_version(
    world: DeployWorld, plugin: Path, monkeypatch: pytest.MonkeyPatch
):
    workflow = world.create("hello_activity", edit=use_shout)
    v1 = world.service.deploy(workflow.id)
    assert world.run_to_end(v1, name="ann") == "ANN!"

    plugin.write_text("")
    monkeypatch.delitem(sys.modules, PLUGIN_MODULE)
    world.edit_draft(workflow.id, lambda d: node(d, "greet").update(label="Shout"))
    with pytest.raises(DeployError, match="settings file is missing") as info:
        world.service.deploy(workflow.id)
    # The compiler imports plugin modules to name their functions, so compile reports it.
    assert info.value.step == "compile" and "RuntimeError" in str(info.value)
    assert [v.version for v in world.service.versions(workflow.id)] == [1]
    assert world.service.active(workflow.id).id == v1.deployment.id
    assert world.run_to_end(v1, name="bo") == "BO!"


def test_exported_zip_runs_with_its_own_worker(world: DeployWorld, tmp_path: Path):
    workflow = world.create("hello_activity")
    v1 = world.service.deploy(workflow.id)
    data = world.service.export(workflow.id, 1)
    assert data == world.service.export(workflow.id, 1)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(Path(n).name for n in archive.namelist())
        archive.extractall(tmp_path / "export")
    assert names == sorted(
        [
            "README.md",
            "activities.py",
            "manifest.json",
            "requirements.txt",
            "worker.py",
            "workflow.py",
        ]
    )
    folder = tmp_path / "export" / v1.workflow_type
    assert (folder / "requirements.txt").read_text().startswith("temporalio==")
    assert "python worker.py" in (folder / "README.md").read_text()

    # Its own queue, so only the exported worker can run the workflow.
    queue = f"export-{uuid.uuid4()}"
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "worker.py",
                "--address",
                world.settings.temporal_address,
                "--namespace",
                world.settings.temporal_namespace,
                "--task-queue",
                queue,
            ],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: b"polling" in log.read_bytes(), "the exported worker to poll")

        async def go(client: Client) -> Any:
            return await client.execute_workflow(
                v1.workflow_type, {"name": "Zip"}, id=f"zip-{uuid.uuid4()}", task_queue=queue
            )

        assert world.temporal(go) == "Hello, Zip!"
    finally:
        worker.terminate()
        worker.wait(10)
