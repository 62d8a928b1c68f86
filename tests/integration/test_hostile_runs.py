"""The hostile corpus on a real dev server: every accepted item runs to an end, in bounded time.

One worker serves every accepted graph of the corpus (each compiled as its own version, so
their types differ); the run inputs and signal payloads go through ``RunService`` as the run
form and console send them. A run still open at the deadline is a hang, and fails the test.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError

from core.compiler import compile_graph
from core.db import Database, ExecutionStatus
from core.errors import GraphFormatError, WorkflowBuilderError
from core.executions import RunService
from core.graph import graph_from_dict
from core.runtime.bundle_store import BundleStore
from core.runtime.loader import load_bundle
from core.runtime.runner import failure_chain
from core.runtime.worker_host import WorkerHost
from core.temporal.gateway import TemporalGateway
from core.validation import validate
from tests.hostile_corpus import (
    ECHO_GRAPH,
    RUN_INPUTS,
    SIGNAL_GRAPH,
    SIGNAL_PAYLOADS,
    Item,
    corpus,
)
from tests.integration.by_hand import deploy_document_by_hand

#: How long every accepted corpus run together may take to end (they run concurrently).
RUNS_DEADLINE = 120.0
#: How long one run of the input or signal graphs may take.
RUN_DEADLINE = 30.0

_TERMINAL = {
    WorkflowExecutionStatus.COMPLETED,
    WorkflowExecutionStatus.FAILED,
    WorkflowExecutionStatus.TERMINATED,
    WorkflowExecutionStatus.TIMED_OUT,
}


def _accepted() -> list[Item]:
    accepted = []
    for item in corpus():
        try:
            if not validate(graph_from_dict(item.document)):
                accepted.append(item)
        except GraphFormatError:
            continue  # refused by the reader (the unit test checks it says why)
    return accepted


def test_every_accepted_corpus_graph_runs_to_an_end(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    items = _accepted()
    assert len(items) >= 100, "most runnable corpus items are accepted"
    store = BundleStore(tmp_path / "bundles")
    types: dict[str, str] = {}
    loaded = []
    for version, item in enumerate(items, start=1):
        bundle = compile_graph(
            graph_from_dict(item.document), version=version, default_task_queue=task_queue
        )
        loaded.append(load_bundle(store.write(bundle)))
        types[item.id] = bundle.workflow_type
    host.add_worker(task_queue, loaded)

    outcomes = host.call(
        _run_all(host.client, items, types, task_queue), timeout=RUNS_DEADLINE + 60
    )

    hung = [item_id for item_id, (status, _) in outcomes.items() if status not in _TERMINAL]
    assert not hung, f"runs still open after {RUNS_DEADLINE:.0f} s: {hung}"
    for item in items:
        status, message = outcomes[item.id]
        if item.failing_step is not None:
            assert status is WorkflowExecutionStatus.FAILED, (item.id, status, message)
            assert repr(item.failing_step) in message, (item.id, message)
        if status is WorkflowExecutionStatus.FAILED:
            assert message and "Traceback" not in message, (item.id, message)
    print(
        "hostile corpus runs:",
        json.dumps(
            {
                status.name: sum(1 for s, _ in outcomes.values() if s is status)
                for status in _TERMINAL
            }
        ),
    )


async def _run_all(
    client: Client, items: list[Item], types: dict[str, str], task_queue: str
) -> dict[str, tuple[WorkflowExecutionStatus | None, str]]:
    handles = {
        item.id: await client.start_workflow(
            types[item.id],
            item.run_input,
            id=f"hostile-{item.id}-{uuid.uuid4().hex[:6]}",
            task_queue=task_queue,
        )
        for item in items
    }
    deadline = time.monotonic() + RUNS_DEADLINE

    async def outcome(handle: Any) -> tuple[WorkflowExecutionStatus | None, str]:
        # The message is the failure and its causes, outermost first (the step is named there).
        try:
            await asyncio.wait_for(handle.result(), max(0.1, deadline - time.monotonic()))
        except WorkflowFailureError as failure:
            return WorkflowExecutionStatus.FAILED, " / ".join(failure_chain(failure))
        except TimeoutError:
            pass
        description = await handle.describe()
        return description.status, ""

    results = await asyncio.gather(*(outcome(handle) for handle in handles.values()))
    return dict(zip(handles, results, strict=True))


@pytest.mark.parametrize("case", RUN_INPUTS, ids=[case_id for case_id, _ in RUN_INPUTS])
def test_run_inputs_are_refused_clearly_or_run_to_an_end(
    case: tuple[str, Any],
    database: Database,
    gateway: TemporalGateway,
    host: WorkerHost,
    tmp_path: Path,
    task_queue: str,
) -> None:
    _, values = case
    workflow_id = deploy_document_by_hand(database, host, tmp_path / "b", ECHO_GRAPH, task_queue)
    runs = RunService(database, gateway)
    try:
        ref = runs.start(workflow_id, values)
    except WorkflowBuilderError as error:
        assert str(error).strip()
        return
    state = runs.wait(ref, timeout=RUN_DEADLINE)
    assert state.closed, f"the run is still {state.status} after {RUN_DEADLINE:.0f} s"


def test_bad_signal_payloads_are_refused_or_rejected_without_failing_the_run(
    database: Database,
    gateway: TemporalGateway,
    host: WorkerHost,
    tmp_path: Path,
    task_queue: str,
) -> None:
    workflow_id = deploy_document_by_hand(database, host, tmp_path / "b", SIGNAL_GRAPH, task_queue)
    runs = RunService(database, gateway)
    ref = runs.start(workflow_id, {})
    refused = []
    for case_id, payload in SIGNAL_PAYLOADS:
        try:
            runs.signal(ref, "go", payload)
        except WorkflowBuilderError as error:
            assert str(error).strip(), case_id
            refused.append(case_id)
        assert runs.state(ref).status is ExecutionStatus.RUNNING, case_id
    assert {"missing_required", "wrong_type", "deep", "huge"} <= set(refused)
    runs.signal(ref, "go", {"count": 3, "note": "fine"})
    state = runs.wait(ref, timeout=RUN_DEADLINE)
    assert state.status is ExecutionStatus.COMPLETED, state
    assert state.result == {"count": 3, "note": "fine"}
