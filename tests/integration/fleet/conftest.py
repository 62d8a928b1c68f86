"""Fleet fixtures: a migrated database of each kind, settings for it, and deployments made by hand.

The deploy service is not used here: a deployment is a workflow, a version holding the graph and
the compiled bundle's digest, and a pending deployment row pointing at the stored bundle.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.compiler import COMPILER_VERSION, compile_graph
from core.config import Settings
from core.db import (
    Database,
    DeploymentRecord,
    RecordNotFoundError,
    VersionRecord,
)
from core.graph.document import graph_from_dict
from core.runtime import BundleStore

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"

#: Short, so lost workers show up within a couple of seconds.
HEARTBEAT_SECONDS = 0.5


def hello_graph(name: str = "hello_activity", *, pause: str | None = None) -> dict[str, Any]:
    """The hello_activity example graph, renamed, optionally with a timer before the greeting."""
    graph = json.loads((EXAMPLES / "hello_activity.json").read_text())
    graph["workflow"]["name"] = name
    if pause is not None:
        graph["nodes"].append(
            {
                "id": "pause",
                "type": "timer",
                "label": "Pause",
                "params": {"duration": pause},
                "position": {"x": 110, "y": 100},
            }
        )
        graph["edges"] = [
            {"id": "e0", "source": "start", "target": "pause", "handle": "next"},
            {"id": "e1", "source": "pause", "target": "greet", "handle": "next"},
            {"id": "e2", "source": "greet", "target": "end", "handle": "next"},
        ]
    return graph


@dataclass(frozen=True)
class Deployed:
    """A deployment made by :func:`deploy`, with its version."""

    deployment: DeploymentRecord
    version: VersionRecord

    @property
    def workflow_type(self) -> str:
        return self.deployment.workflow_type


def deploy(
    database: Database,
    settings: Settings,
    *,
    task_queue: str,
    graph: dict[str, Any],
    bundle_dir: str | None = None,
    bundle_hash: str | None = None,
    keep_files: bool = True,
    step_queues: dict[str, list[str]] | None = None,
) -> Deployed:
    """Record the next version of ``graph``'s workflow and a pending deployment of it.

    Args:
        bundle_dir: overrides where the deployment says its bundle is (default: the stored one).
        bundle_hash: overrides the version's recorded digest (to fake a mismatch).
        keep_files: keep the bundle's files with the version, as deploys do (False: as
            versions deployed before migration 0010 are).
        step_queues: other queues the graph's steps run activities on, as a deploy records.
    """
    name = graph["workflow"]["name"]
    try:
        workflow = database.workflows.get_by_name(name)
    except RecordNotFoundError:
        workflow = database.workflows.create(name=name, graph=graph)
    latest = database.versions.latest(workflow.id)
    number = (latest.version if latest else 0) + 1
    bundle = compile_graph(graph_from_dict(graph), version=number, default_task_queue=task_queue)
    stored = BundleStore(settings.deploy_dir).write(bundle)
    version = database.versions.create_next(
        workflow.id,
        graph=copy.deepcopy(graph),
        graph_hash=str(bundle.manifest["graph_hash"]),
        bundle_hash=bundle_hash or bundle.digest,
        compiler_version=COMPILER_VERSION,
        bundle_files=bundle.files if keep_files else None,
    )
    deployment = database.deployments.create(
        workflow_id=workflow.id,
        version_id=version.id,
        task_queue=task_queue,
        workflow_type=bundle.workflow_type,
        bundle_dir=bundle_dir or str(stored.path),
        step_queues=step_queues,
    )
    return Deployed(deployment=deployment, version=version)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database for tests where the database kind does not matter."""
    return f"sqlite:///{tmp_path / 'fleet.db'}"


@pytest.fixture
def fleet_settings(temporal_settings: Settings, tmp_path: Path) -> Settings:
    """Settings on the shared dev server with a short heartbeat and a deploy folder per test."""
    return dataclasses.replace(
        temporal_settings,
        deploy_dir=tmp_path / "deployments",
        worker_heartbeat_seconds=HEARTBEAT_SECONDS,
    )


class WorkerProcess:
    """`python -m core worker --task-queue Q`, its output in a file (a full pipe blocks it).

    ``command`` runs something else in the same environment (arguments after the interpreter).
    """

    def __init__(
        self,
        settings: Settings,
        database_url: str,
        task_queue: str,
        log: Path,
        *,
        command: Sequence[str] | None = None,
        **environ: str,
    ) -> None:
        """Start it on the settings' Temporal and data folder; ``environ`` adds variables."""
        self.log = log
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "TEMPORAL_ADDRESS": str(settings.temporal_address),
            "TEMPORAL_NAMESPACE": settings.temporal_namespace,
            "WB_DATA_DIR": str(settings.data_dir),
            "DEPLOY_DIR": str(log.parent / f"{log.stem}-deployments"),
            "WB_WORKER_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
            **environ,
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    *(command or ("-m", "core", "worker", "--task-queue", task_queue)),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def processes() -> Iterator[list[WorkerProcess]]:
    """Worker processes a test starts; any still running at its end are killed."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.kill()
