"""Who is signed in, in the sidebar of every page, with the way to sign out."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from core.text import markdown_literal
from pages.widgets.services import (
    ACTOR_KEY,
    TOKEN_KEY,
    get_services,
    session_token,
    sign_in_off,
)
from pages.widgets.session_cookie import set_session_cookie, write_pending_cookie


def account_menu(actor: Actor) -> None:
    """The signed-in user and their role, and a sign-out button (none without sign-in)."""
    with st.sidebar:
        write_pending_cookie()
        if sign_in_off():
            st.caption("No sign-in (`WB_AUTH=off`, loopback only): everyone acts as the admin.")
            return
        st.caption(f"Signed in as **{markdown_literal(actor.name)}** ({actor.role.label})")
        if st.button("Sign out", icon=":material/logout:", key="sign_out"):
            _sign_out()


def _sign_out() -> None:
    st.session_state.pop(ACTOR_KEY, None)
    if st.user.get("is_logged_in"):
        st.logout()  # Streamlit's own single sign-on cookie; it reruns the app itself
        return
    token = session_token()
    st.session_state.pop(TOKEN_KEY, None)
    get_services().accounts.sign_out(token)
    set_session_cookie(None)
    st.rerun()
