"""Chart axes that count whole things (workers, runs): integer ticks, never 0.2 of a worker."""

from __future__ import annotations

from typing import Any


def count_step(largest: int, *, most_ticks: int = 8) -> int:
    """The tick step of an axis that counts up to ``largest``: the first of 1, 2, 5, 10, 20,
    50, ... that needs at most ``most_ticks`` ticks."""
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            if largest <= base * magnitude * most_ticks:
                return base * magnitude
        magnitude *= 10


def count_axis(largest: int) -> dict[str, Any]:
    """Plotly axis settings for counts up to ``largest`` (left alone, plotly ticks 0.2, 0.4,
    ... when every bar is short)."""
    return {"tick0": 0, "dtick": count_step(largest), "tickformat": "d"}
