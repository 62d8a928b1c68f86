"""Unexpected errors on a page: an error id on screen, the traceback in the log."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from core.error_reports import report_unexpected

P = ParamSpec("P")


def show_unexpected(error: Exception, *, where: str) -> None:
    """Log ``error`` under a new error id and show only the id (no message, no traceback)."""
    report = report_unexpected(error, where=where)
    st.error(report.message, icon=":material/error:")


def fragment(*, run_every: float | None = None) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """``st.fragment`` whose unexpected errors show an error id like the page's own.

    A fragment's reruns run it alone, outside ``navigation.run()`` in app.py, so app.py's
    guard does not see them. Streamlit's control flow (``st.rerun``, ``st.stop``,
    ``st.switch_page``) raises ``BaseException`` subclasses, which pass through.
    """

    def decorate(draw: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(draw)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                draw(*args, **kwargs)
            except Exception as error:  # broad: whatever it was, the page shows an id only
                show_unexpected(error, where=f"fragment {draw.__qualname__}")

        return st.fragment(run_every=run_every)(guarded)

    return decorate
