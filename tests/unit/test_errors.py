"""Cause chains: the walk that the CLI's and the console's failure messages share."""

from __future__ import annotations

from core.errors import causes


class _Failure(Exception):
    """Like a Temporal failure: the cause is a property, not only ``__cause__``."""

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause


def test_causes_follow_dunder_cause_then_a_failures_cause():
    root = ValueError("bad input")
    middle = _Failure("activity failed", cause=root)
    try:
        raise RuntimeError("workflow failed") from middle
    except RuntimeError as error:
        outer = error
    assert [str(c) for c in causes(outer)] == ["workflow failed", "activity failed", "bad input"]


def test_a_cycle_of_causes_ends():
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert [str(c) for c in causes(first)] == ["a", "b"]
