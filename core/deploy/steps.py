"""Deploy progress: each step reported as it starts, ends or fails, so a page can show it."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

logger = logging.getLogger(__name__)


class StepStatus(enum.StrEnum):
    """Where a step stands."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class DeployStep:
    """One report about one step of a deploy.

    Attributes:
        name: ``validate``, ``compile``, ``write``, ``import``, ``replay``, ``load``,
            ``schedule`` or ``ready``.
        status: running, done or failed.
        message: what the step did or why it failed.
        elapsed: seconds the step took (0 while running).
    """

    name: str
    status: StepStatus
    message: str = ""
    elapsed: float = 0.0


ProgressCallback = Callable[[DeployStep], None]


class StepReporter:
    """Sends a running report when a step starts, then a done or failed one.

    Args:
        progress: called with every report; exceptions it raises are logged, not passed on
            (a broken progress display must not break a deploy).
    """

    def __init__(self, progress: ProgressCallback | None) -> None:
        self._progress = progress
        self.finished: list[DeployStep] = []

    @contextmanager
    def step(self, name: str, running: str = "") -> Iterator[list[str]]:
        """Report ``name`` as running; the body may append its outcome message to the list."""
        self._send(DeployStep(name, StepStatus.RUNNING, running))
        outcome: list[str] = []
        began = time.perf_counter()
        try:
            yield outcome
        except Exception as exc:
            self._finish(DeployStep(name, StepStatus.FAILED, str(exc), _since(began)))
            raise
        self._finish(DeployStep(name, StepStatus.DONE, " ".join(outcome), _since(began)))

    def _finish(self, report: DeployStep) -> None:
        self.finished.append(report)
        self._send(report)

    def _send(self, report: DeployStep) -> None:
        if self._progress is None:
            return
        try:
            self._progress(report)
        except Exception:
            logger.exception("the deploy progress callback failed on %s", report)


def _since(began: float) -> float:
    return round(time.perf_counter() - began, 4)
