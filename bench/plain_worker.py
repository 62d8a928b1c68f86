"""Plain temporalio Workers started by hand and timed until Temporal sees them poll (a baseline)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from temporalio.client import Client
from temporalio.worker import Worker

from core.fleet import describe_pollers
from core.runtime import LoadedBundle

T = TypeVar("T")

# The fleet's confirmation loop waits this long between two looks at the pollers.
_POLL_CHECK_INTERVAL = 0.02
_POLL_CHECK_TIMEOUT = 10.0


class PlainWorkers:
    """Plain ``Worker``s on one plain ``Client``, on a loop thread of their own.

    What a person would write with temporalio alone for an already compiled bundle: connect a
    client, build a ``Worker`` for the workflow class and activities, run it. Like the product's
    worker host, the loop runs on its own thread, so the caller's clock sees the same hop.

    Args:
        address: the Temporal server (host:port).
        namespace: the Temporal namespace.
    """

    def __init__(self, address: str, namespace: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        # Only sync activities use it; Worker() refuses sync activities without one.
        self._executor = ThreadPoolExecutor(4, thread_name_prefix="plain-activity")
        self._client = self._call(Client.connect(address, namespace=namespace))
        self._running: dict[str, tuple[Worker, asyncio.Task[None]]] = {}

    def start(self, task_queue: str, bundle: LoadedBundle) -> float:
        """Start a plain Worker for ``bundle`` on ``task_queue``; return ms until it polls.

        The clock runs from constructing the Worker until Temporal reports a poll from it
        (its identity and build id, newer than any entry seen before) for workflow tasks and,
        when it has activities, for activity tasks: the check the worker fleet makes.
        """
        identity = f"plain-{task_queue}"
        build_id = f"plain-{bundle.package}"
        earlier = self._call(self._last_polls(task_queue, identity))
        began = time.perf_counter()
        self._call(self._start(task_queue, bundle, identity, build_id, earlier))
        return (time.perf_counter() - began) * 1000

    def stop(self, task_queue: str) -> None:
        """Shut down the Worker on ``task_queue`` and wait for its run to end."""
        worker, run = self._running.pop(task_queue)

        async def stop() -> None:
            await worker.shutdown()
            await run

        self._call(stop())

    def close(self) -> None:
        """Stop every Worker, then the loop thread."""
        for task_queue in list(self._running):
            self.stop(task_queue)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._executor.shutdown(wait=False)

    def __enter__(self) -> PlainWorkers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(60)

    async def _last_polls(self, task_queue: str, identity: str) -> dict[str, datetime | None]:
        pollers = await describe_pollers(self._client, task_queue)
        return {p.kind: p.last_access_time for p in pollers if p.identity == identity}

    async def _start(
        self,
        task_queue: str,
        bundle: LoadedBundle,
        identity: str,
        build_id: str,
        earlier: dict[str, datetime | None],
    ) -> None:
        worker = Worker(
            self._client,
            task_queue=task_queue,
            workflows=[bundle.workflow_class],
            activities=list(bundle.activities),
            activity_executor=self._executor,
            # Named by hand so the poll check can tell this worker's polls from older ones.
            build_id=build_id,
            identity=identity,
        )
        run = asyncio.create_task(worker.run())
        self._running[task_queue] = (worker, run)
        expected = {"workflow", "activity"} if bundle.activities else {"workflow"}
        deadline = time.monotonic() + _POLL_CHECK_TIMEOUT
        while True:
            if run.done():
                raise RuntimeError(f"plain worker on {task_queue!r} stopped: {run.exception()!r}")
            pollers = await describe_pollers(self._client, task_queue)
            kinds = {
                p.kind
                for p in pollers
                if p.identity == identity
                and p.build_id == build_id
                and (
                    earlier.get(p.kind) is None
                    or (p.last_access_time is not None and p.last_access_time > earlier[p.kind])
                )
            }
            if kinds >= expected:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Temporal saw no poll from plain worker {identity} on {task_queue!r} "
                    f"within {_POLL_CHECK_TIMEOUT:g} s"
                )
            await asyncio.sleep(_POLL_CHECK_INTERVAL)
