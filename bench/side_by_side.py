"""Both sides of a benchmark on one server: the product's compiled graphs served by a
``WorkerHost``, a hand-written workflow on a plain ``Worker`` in the host's own loop.

Imported by a benchmark's ``main()`` only: the benchmark module itself keeps to stdlib and
temporalio at its top, as Temporal's sandbox re-imports it for the hand-written workflow.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from core.compiler import compile_graph
from core.config import load_settings
from core.graph import graph_from_dict
from core.runtime.bundle_store import BundleStore
from core.runtime.loader import load_bundle
from core.runtime.worker_host import WorkerHost

TIMEOUT = timedelta(minutes=10)
T = TypeVar("T")


class SideBySide:
    """The product side serves ``graphs`` (by key); the hand side runs ``hand_workflow``.

    Args:
        address: the Temporal server both sides use.
        root: a folder for the product's bundles and app data.
        name: the prefix of both sides' task queues and workflow ids.
        graphs: graph documents of the product side, each under the key runs name it by.
        hand_workflow: the hand-written workflow class; ``hand_type`` is its registered name.
        hand_activities: the activities the hand-written workflow calls.
    """

    def __init__(
        self,
        address: str,
        root: Path,
        *,
        name: str,
        graphs: Mapping[str, Mapping[str, Any]],
        hand_workflow: type,
        hand_type: str,
        hand_activities: Sequence[Callable[..., Any]],
    ) -> None:
        settings = load_settings({"TEMPORAL_ADDRESS": address, "WB_DATA_DIR": str(root / "app")})
        self.name = name
        self.host = WorkerHost(settings)
        self.product_queue = f"{name}-product-{uuid.uuid4().hex[:8]}"
        self.hand_queue = f"{name}-hand-{uuid.uuid4().hex[:8]}"
        self.hand_type = hand_type
        self.types: dict[str, str] = {}
        loaded = []
        for key, graph in graphs.items():
            bundle = compile_graph(
                graph_from_dict(graph), version=1, default_task_queue=self.product_queue
            )
            loaded.append(load_bundle(BundleStore(root / "bundles").write(bundle)))
            self.types[key] = loaded[-1].workflow_type
        self.host.add_worker(self.product_queue, loaded)
        self.host.call(self._start_hand_worker(hand_workflow, hand_activities))

    async def _start_hand_worker(
        self, workflow_class: type, activities: Sequence[Callable[..., Any]]
    ) -> None:
        # A Worker is made and run in the loop of the host's client.
        self.hand_worker = Worker(
            self.host.client,
            task_queue=self.hand_queue,
            workflows=[workflow_class],
            activities=list(activities),
        )
        self._hand_task = asyncio.get_running_loop().create_task(self.hand_worker.run())

    async def start(
        self, side: str, key: str, *, product_input: Any, hand_args: Sequence[Any]
    ) -> WorkflowHandle[Any, Any]:
        """Start one run: the product's graph ``key`` with ``product_input`` (side "product"),
        else the hand-written workflow with ``hand_args``. Call in the host's loop."""
        workflow_id = f"{self.name}-{side}-{uuid.uuid4().hex[:8]}"
        if side == "product":
            return await self.host.client.start_workflow(
                self.types[key],
                product_input,
                id=workflow_id,
                task_queue=self.product_queue,
                execution_timeout=TIMEOUT,
            )
        return await self.host.client.start_workflow(
            self.hand_type,
            args=list(hand_args),
            id=workflow_id,
            task_queue=self.hand_queue,
            execution_timeout=TIMEOUT,
        )

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` in the host's loop (where ``start`` must run) and wait for it."""
        return self.host.call(coro, timeout=TIMEOUT.total_seconds())

    def close(self) -> None:
        """Stop the hand-written worker, then the host and its workers."""
        self.host.call(self.hand_worker.shutdown())
        self.host.close()
