"""The palette: one button per node kind; a click adds that kind beside the selected node."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.nodes import CATALOG

_ICONS = {
    "start": ":material/play_arrow:",
    "activity": ":material/bolt:",
    "condition": ":material/call_split:",
    "switch": ":material/alt_route:",
    "parallel": ":material/fork_right:",
    "join": ":material/merge:",
    "loop": ":material/repeat:",
    "timer": ":material/timer:",
    "wait_signal": ":material/notifications:",
    "set_variable": ":material/data_object:",
    "child_workflow": ":material/account_tree:",
    "end": ":material/stop:",
}


def palette(on_add: Callable[[str], None]) -> None:
    """Show a button per node kind; ``on_add(kind)`` runs (as a callback) when one is clicked."""
    st.markdown("**Add a node**")
    for kind in CATALOG.values():
        st.button(
            kind.title,
            key=f"palette_{kind.type}",
            icon=_ICONS.get(kind.type),
            help=kind.description,
            on_click=on_add,
            args=(kind.type,),
            width="stretch",
        )
