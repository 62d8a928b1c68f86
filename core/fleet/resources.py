"""What a worker process uses, sampled at each heartbeat: CPU, memory, uptime."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass

import psutil


@dataclass(frozen=True)
class ProcessFigures:
    """One sample of the worker process.

    Attributes:
        cpu_percent: CPU used since the previous sample, in percent of one core.
        rss_bytes: resident memory.
        uptime_seconds: how long the process has run.
    """

    cpu_percent: float
    rss_bytes: int
    uptime_seconds: float

    def as_metadata(self) -> dict[str, float | int]:
        """The figures as stored in a worker's metadata (``resources``)."""
        return asdict(self)


class ProcessSampler:
    """Samples this process; CPU is measured between calls, so the first sample reads 0."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._process.cpu_percent(None)  # starts the CPU clock the next call measures against
        self._lock = threading.Lock()

    def sample(self) -> ProcessFigures:
        """CPU since the last sample, memory now, uptime."""
        with self._lock:  # psutil keeps the previous CPU reading on the object
            cpu = self._process.cpu_percent(None)
            memory = self._process.memory_info().rss
        return ProcessFigures(
            cpu_percent=round(cpu, 1),
            rss_bytes=int(memory),
            uptime_seconds=round(time.time() - self._process.create_time(), 1),
        )
