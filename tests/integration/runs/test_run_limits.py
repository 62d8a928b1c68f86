"""Run timeouts and the per-user start limit, on the dev server: a run longer than its
workflow's (or the app's default) timeout ends timed out; a user over the limit is refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from core.auth import Actor, Role, acting_as
from core.db import ExecutionStatus
from core.executions import RunRateLimitedError
from core.services import AppServices
from tests.integration.runs.helpers import deploy

WAIT_S = 30.0


def _sleeper(name: str, *, run_timeout: str | None) -> dict[str, Any]:
    """start -> a 10-minute timer -> end, with the given run_timeout."""
    workflow: dict[str, Any] = {"name": name, "description": "", "task_queue": None}
    if run_timeout is not None:
        workflow["run_timeout"] = run_timeout
    return {
        "format": "workflow-builder/1",
        "workflow": workflow,
        "nodes": [
            {"id": "start", "type": "start", "label": "Start", "params": {}},
            {"id": "nap", "type": "timer", "label": "Nap", "params": {"duration": "10m"}},
            {"id": "end", "type": "end", "label": "End", "params": {}},
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "nap"},
            {"id": "e2", "source": "nap", "target": "end"},
        ],
    }


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_a_run_longer_than_its_workflows_timeout_ends_timed_out(services: AppServices):
    workflow_id = deploy(services, _sleeper(_name("napper"), run_timeout="2s"))

    ref = services.runs.start(workflow_id, {})
    state = services.runs.wait(ref, timeout=WAIT_S)

    assert state.status is ExecutionStatus.TIMED_OUT
    assert state.close_time - state.start_time < timedelta(seconds=WAIT_S)


@pytest.fixture
def limited(services_with: Callable[..., AppServices]) -> AppServices:
    """Services whose runs last 2 s unless their workflow says otherwise, 2 starts a minute."""
    return services_with(default_run_timeout=timedelta(seconds=2), run_starts_per_minute=2)


def test_the_default_timeout_and_the_start_limit_apply_to_a_user(limited: AppServices):
    workflow_id = deploy(limited, _sleeper(_name("default_napper"), run_timeout=None))
    ann = Actor("ann", Role.OPERATOR)
    runs, console = acting_as(limited.runs, ann), acting_as(limited.console, ann)

    first = runs.start(workflow_id, {})
    second = runs.start(workflow_id, {})
    # A rerun from the console is a start too, counted against the same user.
    with pytest.raises(RunRateLimitedError) as refused:
        console.rerun(first.workflow_id, first.run_id)
    assert "at most 2 a minute per user; try again in" in str(refused.value)
    assert 0 < refused.value.retry_after <= 60
    # Someone else, and the process itself, still may.
    acting_as(limited.runs, Actor("bo", Role.OPERATOR)).start(workflow_id, {})
    limited.runs.start(workflow_id, {})

    for ref in (first, second):
        assert limited.runs.wait(ref, timeout=WAIT_S).status is ExecutionStatus.TIMED_OUT
