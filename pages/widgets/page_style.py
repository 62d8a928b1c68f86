"""The console's page margins, tighter than Streamlit's: the builder's canvas gets the room."""

from __future__ import annotations

import streamlit as st

# Streamlit's wide layout leaves 6rem above the page and 5rem either side, a third of a
# 1280x800 screen; no setting changes that. The header bar above is 3.75rem high.
_MARGINS = """<style>
[data-testid="stMainBlockContainer"] {
  padding-top: 4rem;
  padding-left: 2rem;
  padding-right: 2rem;
  padding-bottom: 3rem;
}
</style>"""


def tighten_margins() -> None:
    """Set the page margins for this run (a style element, which takes no room)."""
    st.html(_MARGINS)
