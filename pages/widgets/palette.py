"""The palette: one button per node kind; a click inserts that kind after the selected node."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.nodes.catalog import CATALOG
from pages.widgets.kind_looks import look


def palette(on_add: Callable[[str], None], *, where: str) -> None:
    """Show a button per node kind; ``on_add(kind)`` runs (as a callback) when one is clicked.

    ``where`` says where the new node goes; each button's tooltip ends with it.
    """
    st.markdown("**Add a node**", help=where)
    # Borderless buttons without gaps: all of them stand no taller than the canvas beside them
    # on a 1280x800 screen.
    with st.container(gap=None):
        for kind in CATALOG.values():
            st.button(
                kind.title,
                key=f"palette_{kind.type}",
                icon=look(kind.type).icon,
                help=f"{kind.description}  \n{where}",
                on_click=on_add,
                args=(kind.type,),
                type="tertiary",
                wrap=True,  # a narrow column wraps "Wait for signal" instead of cutting it
            )
