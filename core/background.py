"""Work a page starts that must run to its end even when the page is redrawn meanwhile.

Streamlit ends a script run at its next element call once a rerun is asked for (any click, or
a component reporting), so long work done inside the script run can be cut off half-way. A
job runs on a thread of its own instead, and the page only watches its progress.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

Report = TypeVar("Report")
Result = TypeVar("Result")

# Pool threads are joined when the interpreter exits, so a job under way finishes first.
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wb-job")


class Job(Generic[Report, Result]):
    """One call on a pool thread, with the progress reports it has made so far."""

    def __init__(self, work: Callable[[Callable[[Report], None]], Result]) -> None:
        self._lock = threading.Lock()
        self._reports: list[Report] = []
        self._future: Future[Result] = _POOL.submit(work, self._report)

    def _report(self, report: Report) -> None:
        with self._lock:
            self._reports.append(report)

    @property
    def reports(self) -> tuple[Report, ...]:
        """Every report so far, oldest first."""
        with self._lock:
            return tuple(self._reports)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the job to end; True once it has."""
        try:
            self._future.exception(timeout)
        except TimeoutError:
            return False
        return True

    def result(self) -> Result:
        """What the work returned; raises what it raised. Blocks until it has ended."""
        return self._future.result()
