"""The problems list: every validation problem, each a button that selects its node or edge."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.services import DraftCheck
from core.text import markdown_literal


def problems_list(check: DraftCheck, *, on_select: Callable[[str], None]) -> None:
    """Show what is wrong with the draft; clicking a node or edge problem selects it."""
    if check.format_error is not None:
        st.error("The draft is not a readable graph:")
        for where, reason in check.format_error.problems:
            st.markdown(f"- **{markdown_literal(where)}**: {markdown_literal(reason)}")
        return
    if not check.problems:
        st.success("No problems: the workflow is valid.", icon=":material/check_circle:")
        return
    st.markdown(f"**{len(check.problems)} problem(s)** (click one to select its node)")
    for index, problem in enumerate(check.problems):
        if problem.scope in ("node", "edge"):
            st.button(
                markdown_literal(str(problem)),
                key=f"problem_{index}",
                on_click=on_select,
                args=(problem.subject,),
                icon=":material/error:",
                type="tertiary",
                wrap=True,  # a long message wraps instead of ending in "..."
            )
        else:
            st.markdown(f":red[:material/error: {markdown_literal(str(problem))}]")
