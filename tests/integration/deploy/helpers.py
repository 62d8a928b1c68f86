"""Helpers of the deploy tests: the wired-up world, example documents, polling."""

from __future__ import annotations

import copy
import dataclasses
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from temporalio.client import Client

from core.config import Settings
from core.db import Database, WorkflowRecord
from core.deploy import DeployResult, DeployService
from core.examples import EXAMPLES_DIR
from core.fleet import WorkerManager


@dataclasses.dataclass
class DeployWorld:
    """Everything a deploy test touches, wired like the app wires it."""

    settings: Settings
    database: Database
    manager: WorkerManager
    service: DeployService

    def temporal(self, work: Callable[[Client], Coroutine[Any, Any, Any]], timeout: float = 60):
        """Run ``work(client)`` on the manager's host loop and return its result."""
        host = self.manager.host
        return host.call(work(host.client), timeout=timeout)

    def run_to_end(self, deployed: DeployResult, **workflow_input: Any) -> Any:
        """Run the deployed workflow type on its deployment's queue and return its result."""

        async def go(client: Client) -> Any:
            return await client.execute_workflow(
                deployed.workflow_type,
                workflow_input,
                id=f"{deployed.workflow_type}-{uuid.uuid4().hex[:8]}",
                task_queue=deployed.deployment.task_queue,
            )

        return self.temporal(go)

    def create(self, example: str, *, edit: Callable[[dict], None] | None = None) -> WorkflowRecord:
        """A workflow whose draft is ``example`` under a name no other test uses."""
        document = example_document(example)
        name = f"{example[:40]}_{uuid.uuid4().hex[:8]}"
        document["workflow"]["name"] = name
        if edit is not None:
            edit(document)
        return self.database.workflows.create(name=name, graph=document)

    def edit_draft(self, workflow_id: int, edit: Callable[[dict], None]) -> None:
        """Change the stored draft in place."""
        document = copy.deepcopy(self.database.workflows.get(workflow_id).draft_graph)
        edit(document)
        self.database.workflows.save_draft(workflow_id, document)


def example_document(example: str) -> dict[str, Any]:
    """The example's graph document, parsed."""
    return json.loads((EXAMPLES_DIR / f"{example}.json").read_text(encoding="utf-8"))


def node(document: dict, node_id: str) -> dict:
    """The node with this id in a document."""
    return next(item for item in document["nodes"] if item["id"] == node_id)


def wait_until(check: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
