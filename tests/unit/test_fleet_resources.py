"""Worker heartbeats carry the process's CPU, memory and uptime."""

from __future__ import annotations

from core.fleet.resources import ProcessSampler


def test_a_sample_reads_this_process() -> None:
    sampler = ProcessSampler()
    sum(i * i for i in range(200_000))  # some CPU between the two readings

    figures = sampler.sample()

    assert figures.rss_bytes > 10 * 1024 * 1024  # a Python with SQLAlchemy and Temporal loaded
    assert figures.uptime_seconds > 0
    assert 0 <= figures.cpu_percent
    assert set(figures.as_metadata()) == {"cpu_percent", "rss_bytes", "uptime_seconds"}
