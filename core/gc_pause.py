"""Pausing Python's cyclic garbage collector around allocation-heavy work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block.

    Validating and compiling a graph allocate hundreds of thousands of short-lived objects
    (pydantic models, AST nodes) that form no cycles worth collecting early; the collector
    would rescan them again and again, half the time of a 10,000-node compile. The previous
    state is restored afterwards, so nesting is harmless.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
