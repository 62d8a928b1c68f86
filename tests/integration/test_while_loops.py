"""While loops on a real dev server: a long loop goes on through continue-as-new, each run's
history short, carrying variables and queued signals; break and continue end an iteration or
the loop."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError

from core.compiler import compile_graph
from core.graph import graph_from_dict
from core.runtime.bundle_store import BundleStore
from core.runtime.loader import LoadedBundle, load_bundle
from core.runtime.worker_host import WorkerHost
from tests.loop_graphs import counting

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def serve(host: WorkerHost, tmp_path: Path, task_queue: str, document: dict) -> LoadedBundle:
    bundle = compile_graph(graph_from_dict(document), version=1, default_task_queue=task_queue)
    loaded = load_bundle(BundleStore(tmp_path / "bundles").write(bundle))
    host.add_worker(task_queue, [loaded])
    return loaded


async def run_chain(client: Client, workflow_id: str) -> list[int]:
    """The history length of each run of a continue-as-new chain, first to last; every run but
    the last ends continued as new."""
    lengths = []
    run_id = ""
    while True:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id or None)
        if not run_id:
            run_id = (await handle.describe()).raw_description.workflow_execution_info.first_run_id
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        history = await handle.fetch_history()
        lengths.append(len(history.events))
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return lengths
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


def count_through_runs(
    host: WorkerHost, tmp_path: Path, task_queue: str, n: int, limit: int, nap_every: int
) -> list[int]:
    loaded = serve(host, tmp_path, task_queue, counting(limit, nap_every=nap_every))
    workflow_id = f"while-{uuid.uuid4()}"

    async def go() -> list[int]:
        handle = await host.client.start_workflow(
            loaded.workflow_type,
            {"n": n},
            id=workflow_id,
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=5),
        )
        assert await asyncio.wait_for(handle.result(), 240) == n
        return await run_chain(host.client, workflow_id)

    return host.call(go())


@pytest.mark.fuzz
def test_twenty_thousand_iterations_through_continue_as_new(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    # About 10 s (30 on a busy machine): a long mode (`-m fuzz`); the test below is its short
    # form. A hundred timers grow the history; the loop's other iterations add nothing to it.
    lengths = count_through_runs(host, tmp_path, task_queue, 20_000, limit=20, nap_every=200)
    assert len(lengths) >= 4, lengths
    assert max(lengths) <= 20 + 8, lengths


def test_a_while_loop_goes_on_through_continue_as_new_with_its_signals(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    loaded = serve(host, tmp_path, task_queue, counting(20, nap_every=1, signal=True))
    workflow_id = f"while-{uuid.uuid4()}"

    async def go() -> tuple[Any, list[int]]:
        handle = await host.client.start_workflow(
            loaded.workflow_type,
            {"n": 12},
            id=workflow_id,
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=5),
        )
        # Sent while the first run loops: the payload waits in the queue for the step after
        # the loop, runs later.
        await handle.signal("go", {"word": "hello"})
        result = await asyncio.wait_for(handle.result(), 120)
        return result, await run_chain(host.client, workflow_id)

    # Each iteration waits for a timer (5 events), so the history reaches 20 events every few
    # iterations and the run continues as new, carrying the variables (count, and note, which
    # the signal set) and the queued payload.
    result, lengths = host.call(go())
    assert len(lengths) >= 2, lengths
    # A run continues at the top of the first iteration after its history reached the limit:
    # one timer (5 events) past it at most, plus the continue-as-new itself.
    assert max(lengths) <= 20 + 8, lengths
    assert result == [12, {"word": "hello"}, "hello"]


@pytest.mark.parametrize(
    ("run_input", "expected"),
    [
        ({"target": 10}, {"count": 10, "total": 30}),
        ({"target": 10, "cap": 5}, {"count": 4, "total": 6}),
    ],
)
def test_continue_skips_odd_numbers_and_break_stops_at_the_cap(
    host: WorkerHost, tmp_path: Path, task_queue: str, run_input: dict, expected: dict
) -> None:
    document = json.loads((EXAMPLES / "count_evens.json").read_text())
    loaded = serve(host, tmp_path, task_queue, document)

    async def go() -> Any:
        handle = await host.client.start_workflow(
            loaded.workflow_type,
            run_input,
            id=f"while-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=1),
        )
        return await asyncio.wait_for(handle.result(), 30)

    assert host.call(go()) == expected


def test_a_loop_past_its_max_iterations_fails_the_run_naming_it(
    host: WorkerHost, tmp_path: Path, task_queue: str
) -> None:
    document = counting(100)
    document["nodes"][2]["params"]["max_iterations"] = 10
    loaded = serve(host, tmp_path, task_queue, document)

    async def go() -> str:
        handle = await host.client.start_workflow(
            loaded.workflow_type,
            {"n": 50},
            id=f"while-{uuid.uuid4()}",
            task_queue=task_queue,
            execution_timeout=timedelta(minutes=1),
        )
        with pytest.raises(WorkflowFailureError) as failure:
            await asyncio.wait_for(handle.result(), 30)
        return str(getattr(failure.value.cause, "message", failure.value.cause))

    assert host.call(go()) == "step 'spin': the loop would run more than 10 times (max_iterations)"
