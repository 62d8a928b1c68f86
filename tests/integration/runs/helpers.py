"""Helpers of the runs console tests: graphs that fail at a known step, deploying, polling."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from core.db import ExecutionRecord
from core.runs import RunNotFoundError
from core.services import AppServices

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
T = TypeVar("T")


def example(name: str) -> dict[str, Any]:
    """An example graph document, as a fresh copy."""
    return copy.deepcopy(json.loads((EXAMPLES / f"{name}.json").read_text()))


def failing_graph(name: str) -> dict[str, Any]:
    """start -> "Charge card" (an activity that fails once, no retries) -> end."""
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "description": "", "task_queue": None},
        "nodes": [
            {"id": "start", "type": "start", "label": "Start", "params": {}},
            {
                "id": "greet",
                "type": "activity",
                "label": "Greet",
                "params": {"activity": "echo", "args": {"value": "hi"}, "result_variable": "hi"},
            },
            {
                "id": "charge",
                "type": "activity",
                "label": "Charge card",
                "params": {
                    "activity": "fail",
                    "args": {"message": "card declined", "error_type": "Declined"},
                    "retry": {"max_attempts": 1},
                },
            },
            {"id": "end", "type": "end", "label": "End", "params": {}},
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "greet"},
            {"id": "e2", "source": "greet", "target": "charge"},
            {"id": "e3", "source": "charge", "target": "end"},
        ],
    }


def looping_graph(name: str) -> dict[str, Any]:
    """count = 0; while count < 6: echo(count), count = count + 1; the run continues as new
    once its history passes 20 events (each iteration's activity adds six)."""
    nodes = [
        {"id": "start", "type": "start", "params": {"input_fields": []}},
        {"id": "zero", "type": "set_variable", "params": {"name": "count", "expression": "0"}},
        {
            "id": "spin",
            "type": "while_loop",
            "params": {"condition": "count < 6", "continue_as_new_after": 20},
        },
        {
            "id": "call",
            "type": "activity",
            "params": {"activity": "echo", "args": {"value": {"expr": "count"}}, "local": False},
        },
        {
            "id": "add",
            "type": "set_variable",
            "params": {"name": "count", "expression": "count + 1"},
        },
        {"id": "end", "type": "end", "params": {"result": "count"}},
    ]
    edges = [
        ("start", "zero", "next"),
        ("zero", "spin", "next"),
        ("spin", "call", "body"),
        ("call", "add", "next"),
        ("add", "spin", "next"),
        ("spin", "end", "done"),
    ]
    return {
        "format": "workflow-builder/1",
        "workflow": {"name": name, "signals": [], "queries": []},
        "nodes": nodes,
        "edges": [
            {"id": f"e{i}", "source": s, "target": t, "handle": h}
            for i, (s, t, h) in enumerate(edges)
        ],
    }


def deploy(services: AppServices, document: dict[str, Any]) -> int:
    """Create a workflow from ``document`` and deploy it; return its id."""
    record = services.workflows.create(name=document["workflow"]["name"])
    services.workflows.save_draft(record.id, document)
    services.deploy.deploy(record.id)
    return record.id


def eventually(check: Callable[[], T | None], *, timeout: float = 30.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)


def unique(name: str) -> str:
    """``name`` with a random suffix: schedules and workflow ids are shared by every test."""
    return f"{name}_{uuid.uuid4().hex[:8]}"


def renamed(document: dict[str, Any], name: str) -> dict[str, Any]:
    """``document`` with its workflow renamed."""
    document["workflow"]["name"] = name
    return document


def settled(services: AppServices, workflow_id: str, run_id: str) -> ExecutionRecord | None:
    """The run's record once it is closed and its details were read, else None."""
    try:
        record = services.console.find(workflow_id, run_id)
    except RunNotFoundError:
        return None
    return record if record.closed and record.details_synced else None
