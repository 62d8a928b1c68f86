"""Errors on a page: an outage says what is down and retries; anything else unexpected shows
an error id on screen, the traceback in the log."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import streamlit as st

from core.error_reports import report_unexpected
from core.outages import RETRY_SECONDS, Outage, outage_of

P = ParamSpec("P")


def show_failure(error: Exception, *, where: str, retry: bool = True) -> None:
    """Show an outage of the database or Temporal (and, with ``retry``, run the page again
    every few seconds until it is back); log anything else under a new error id and show only
    the id (no message, no traceback)."""
    outage = outage_of(error)
    if outage is None:
        report = report_unexpected(error, where=where)
        st.error(report.message, icon=":material/error:")
        return
    st.warning(f"**{outage.headline}** {outage.check}", icon=":material/cloud_off:")
    if retry:
        _retry_soon(outage)


@st.fragment(run_every=RETRY_SECONDS)
def _retry_soon(outage: Outage) -> None:
    # The fragment's first run is part of this page run; each later one runs the whole page.
    key = f"_outage_retry_{outage.service}"
    if st.session_state.pop(key, False):
        st.rerun(scope="app")
    st.session_state[key] = True


def fragment(*, run_every: float | None = None) -> Callable[[Callable[P, None]], Callable[P, None]]:
    """``st.fragment`` whose errors show as the page's own do (an outage, or an error id).

    A fragment's reruns run it alone, outside ``navigation.run()`` in app.py, so app.py's
    guard does not see them. Streamlit's control flow (``st.rerun``, ``st.stop``,
    ``st.switch_page``) raises ``BaseException`` subclasses, which pass through.
    """

    def decorate(draw: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(draw)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            try:
                draw(*args, **kwargs)
            except Exception as error:  # broad: an outage, or an id only
                # A fragment that refreshes itself retries anyway; nesting another is not needed.
                show_failure(error, where=f"fragment {draw.__qualname__}", retry=False)

        return st.fragment(run_every=run_every)(guarded)

    return decorate
