"""Turning SIGINT and SIGTERM into an event long-running commands check at safe points.

No exception is raised from the signal handler: one raised at an arbitrary point (inside a
lock's bookkeeping, a worker being built) could leave the process unable to exit.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


def stop_on_signals() -> threading.Event:
    """An event set by the first SIGINT or SIGTERM (call from the main thread)."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    return stop
