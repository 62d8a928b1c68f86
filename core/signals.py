"""Turning SIGINT and SIGTERM into an event long-running commands wait on, or an interrupt."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


def stop_on_signals() -> threading.Event:
    """An event set by the first SIGINT or SIGTERM (call from the main thread)."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    return stop


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within this block SIGTERM raises KeyboardInterrupt, as SIGINT does (main thread only).

    A command that holds temporary files then cleans up in its ``finally`` blocks and
    ``with`` exits whichever way it is stopped; SIGTERM's default would end the process
    on the spot.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
