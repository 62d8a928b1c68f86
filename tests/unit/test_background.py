"""Background jobs: reports arrive while the work runs, its result or error after it ends."""

from __future__ import annotations

import threading

import pytest

from core.background import Job


def test_reports_show_while_the_work_runs_and_the_result_after() -> None:
    release = threading.Event()

    def work(report) -> str:
        report("started")
        release.wait(10)
        report("finished")
        return "done"

    job: Job[str, str] = Job(work)
    assert not job.wait(0.05)
    assert job.reports == ("started",)
    release.set()
    assert job.wait(10)
    assert job.reports == ("started", "finished")
    assert job.result() == "done"


def test_the_error_of_the_work_is_raised_by_result() -> None:
    def work(report) -> None:
        raise ValueError("bad graph")

    job: Job[str, None] = Job(work)
    assert job.wait(10)
    with pytest.raises(ValueError, match="bad graph"):
        job.result()
