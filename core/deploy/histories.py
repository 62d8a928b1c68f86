"""Workflow histories the determinism gate replays: recorded files and recent runs in Temporal."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client, WorkflowHistory

from core.config import REPO_ROOT

logger = logging.getLogger(__name__)

#: Recorded histories of the examples, one folder per example (``python -m
#: core.deploy.record_histories`` writes them).
HISTORIES_DIR = REPO_ROOT / "tests" / "histories"
#: The code the histories were recorded with, kept to name the nodes whose code changed since.
RECORDED_SOURCE = "workflow.py"


@dataclass(frozen=True)
class RecordedHistories:
    """The recorded runs of one example.

    Attributes:
        example: the example's workflow name (its folder name).
        histories: one history per recorded run, by file name.
        source: ``workflow.py`` as it was when the runs were recorded, if kept.
    """

    example: str
    histories: tuple[WorkflowHistory, ...]
    source: str | None


def history_file_id(example: str, scenario: str) -> str:
    """The workflow id a recorded run gets, and so the id its history file is read back with."""
    return f"{example}-{scenario}"


def load_recorded(directory: Path = HISTORIES_DIR) -> list[RecordedHistories]:
    """Every example folder under ``directory`` with its ``*.json`` histories, by name."""
    found = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        histories = tuple(
            WorkflowHistory.from_json(
                history_file_id(folder.name, path.stem), path.read_text(encoding="utf-8")
            )
            for path in sorted(folder.glob("*.json"))
        )
        source_path = folder / RECORDED_SOURCE
        source = source_path.read_text(encoding="utf-8") if source_path.exists() else None
        if histories:
            found.append(RecordedHistories(folder.name, histories, source))
    return found


async def recent_histories(
    client: Client, workflow_type: str, *, limit: int = 20
) -> list[WorkflowHistory]:
    """Histories of the newest runs of ``workflow_type`` in Temporal, open ones first.

    Open runs matter most (a changed worker replays them for real); closed ones still show
    whether the new code takes the same steps.
    """
    histories: list[WorkflowHistory] = []
    for status in ("Running", "Completed"):
        if len(histories) >= limit:
            break
        query = f"WorkflowType = '{workflow_type}' AND ExecutionStatus = '{status}'"
        async for execution in client.list_workflows(query, limit=limit - len(histories)):
            handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
            histories.append(await handle.fetch_history())
    logger.debug("fetched %d histories of %s", len(histories), workflow_type)
    return histories
