"""A Temporal client on its own thread and event loop, callable from any thread.

Streamlit runs each page script on a thread of its own, while a Temporal ``Client`` belongs to
the event loop it was connected on. The gateway keeps one loop running forever on a daemon
thread and hands coroutines to it, so any script thread can use the one client.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from temporalio.client import Client

from core.config import Settings
from core.errors import WorkflowBuilderError
from core.temporal.connection import connect

logger = logging.getLogger(__name__)
T = TypeVar("T")


class GatewayClosedError(WorkflowBuilderError):
    """The gateway was closed; nothing more can be sent to Temporal through it."""


class TemporalGateway:
    """One connected client and the loop it belongs to.

    Args:
        settings: where Temporal is (``temporal_address`` must be set; see ``ensure_temporal``).
        call_timeout: default seconds :meth:`call` waits for a result.

    Raises:
        TemporalConnectionError: the server cannot be reached.
    """

    def __init__(self, settings: Settings, *, call_timeout: float = 60.0) -> None:
        self._call_timeout = call_timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="temporal-gateway", daemon=True
        )
        self._thread.start()
        self._client: Client | None = None
        try:
            self._client = self.call(connect(settings))
        except BaseException:
            self._stop_loop(timeout=5)
            raise

    @property
    def client(self) -> Client:
        """The client; use it only inside coroutines given to :meth:`call`."""
        if self._client is None:
            raise GatewayClosedError("the Temporal gateway is closed")
        return self._client

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the gateway's loop and wait for its result.

        Raises:
            TimeoutError: no result within ``timeout`` seconds (the coroutine is cancelled).
        """
        future = self.submit(coro)
        try:
            return future.result(self._call_timeout if timeout is None else timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coro`` on the gateway's loop without waiting (for long-running work).

        Raises:
            GatewayClosedError: the gateway was closed (``coro`` is closed unrun).
        """
        try:
            return asyncio.run_coroutine_threadsafe(coro, self._loop)
        except RuntimeError:  # asyncio's word for a closed loop
            coro.close()
            raise GatewayClosedError("the Temporal gateway is closed") from None

    def close(self) -> None:
        """Drop the client and stop the loop's thread (safe to call twice)."""
        if self._client is None and not self._thread.is_alive():
            return
        self._client = None
        self._stop_loop(timeout=10)

    def _stop_loop(self, *, timeout: float) -> None:
        async def settle() -> None:
            # Free the SDK's native handles while the loop still runs, so the interpreter's
            # finalisation has nothing of Temporal's left to collect (RECIPES.md section 7).
            gc.collect()
            await asyncio.sleep(0.1)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(settle(), self._loop).result(timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
