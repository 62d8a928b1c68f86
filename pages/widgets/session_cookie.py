"""The browser cookie that keeps a signed-in session across page reloads.

Streamlit can read cookies (``st.context.cookies``) but not set them, so a zero-height
``st.iframe`` of our own script writes it on the parent page (such an iframe shares the app's
origin). The token is the cookie's whole value: the database keeps only its hash.
"""

from __future__ import annotations

import json

import streamlit as st

from pages.widgets.services import COOKIE

#: Session state: a cookie write waiting for the next page run (a token, or "" to clear).
PENDING_KEY = "wb_cookie_pending"


def set_session_cookie(token: str | None, *, max_age_seconds: int = 0) -> None:
    """Ask for the cookie to be set to ``token`` (None: cleared) on the next page run: the
    script that writes it must reach the browser, which a rerun right away would prevent."""
    value = f"{COOKIE}={token}; Max-Age={max_age_seconds}" if token else f"{COOKIE}=; Max-Age=0"
    st.session_state[PENDING_KEY] = value


def write_pending_cookie() -> None:
    """Write the cookie asked for by :func:`set_session_cookie`, if any."""
    value = st.session_state.pop(PENDING_KEY, None)
    if value is None:
        return
    # json.dumps makes the value one JavaScript string literal (tokens are URL-safe base64).
    # Nothing in the script comes from a user: the value is our cookie name and a token.
    st.iframe(
        "<script>const page = window.parent;"
        'const secure = page.location.protocol === "https:" ? "; Secure" : "";'
        f'page.document.cookie = {json.dumps(value)} + "; Path=/; SameSite=Strict" + secure;'
        "</script>",
        height=1,  # the least st.iframe takes: the script shows nothing
    )
