"""Worker heartbeats carry the process's CPU, memory and uptime."""

from __future__ import annotations

import time

from core.fleet.resources import ProcessSampler


def test_a_sample_reads_this_process() -> None:
    sampler = ProcessSampler()
    busy_until = time.process_time() + 0.2  # CPU the sample must see
    while time.process_time() < busy_until:
        pass

    figures = sampler.sample()

    assert figures.cpu_percent > 0
    assert figures.rss_bytes > 10 * 1024 * 1024  # a Python with pytest and SQLAlchemy loaded
    assert figures.uptime_seconds > 0
    assert set(figures.as_metadata()) == {"cpu_percent", "rss_bytes", "uptime_seconds"}
