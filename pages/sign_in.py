"""Sign-in: the first admin account on a new install, then user name and password, or single
sign-on through Streamlit's own ``st.login`` when ``secrets.toml`` configures it."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from core.auth.accounts import AccountError, SignInError
from pages.widgets.services import TOKEN_KEY, get_services, signed_in_actor
from pages.widgets.session_cookie import set_session_cookie, write_pending_cookie

services = get_services()
accounts = services.accounts


def _single_sign_on() -> list[str] | None:
    """The providers of the ``[auth]`` section of secrets.toml ([] for its one unnamed
    provider), None when single sign-on is not configured."""
    try:
        section = st.secrets.get("auth")
    except StreamlitSecretNotFoundError:  # no secrets.toml at all
        return None
    if not isinstance(section, Mapping):
        return None
    return sorted(key for key, value in section.items() if isinstance(value, Mapping))


def _signed_in(token: str) -> None:
    st.session_state[TOKEN_KEY] = token
    set_session_cookie(token, max_age_seconds=int(accounts.policy.lifetime.total_seconds()))
    st.rerun()


write_pending_cookie()
if signed_in_actor() is not None:
    # Reached by its own URL (Streamlit runs a pages/ file directly before app.py has set up
    # navigation) while signed in: nothing to do here.
    st.switch_page("pages/home.py")
st.title("Workflow Builder")

if accounts.needs_first_admin():
    st.subheader("Create the admin account")
    st.caption(
        "No account exists yet. The first one is an admin: it creates the others and gives "
        "them roles."
    )
    with st.form("first_admin"):
        username = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="new-password")
        again = st.text_input("Password again", type="password", autocomplete="new-password")
        if st.form_submit_button("Create the admin account", type="primary"):
            if password != again:
                st.error("The two passwords differ.")
            else:
                try:
                    accounts.create_first_admin(username, password=password)
                    token, _ = accounts.sign_in(username, password=password)
                except (AccountError, SignInError) as error:
                    st.error(str(error))
                else:
                    _signed_in(token)
    st.stop()

st.subheader("Sign in")
with st.form("sign_in"):
    username = st.text_input("User name", autocomplete="username")
    password = st.text_input("Password", type="password", autocomplete="current-password")
    if st.form_submit_button("Sign in", type="primary"):
        try:
            with st.spinner("Signing in..."):
                token, _ = accounts.sign_in(username, password=password)
        except SignInError as error:
            st.error(str(error), icon=":material/lock:")
        else:
            _signed_in(token)

providers = _single_sign_on()
if providers is not None:
    for provider in providers or [""]:  # "": the one provider of an unnamed [auth] section
        label = f"Sign in with {provider}" if provider else "Sign in with single sign-on"
        if st.button(label, key=f"sso_{provider}", icon=":material/login:"):
            st.login(provider or None)
    st.caption("A first single sign-on makes a viewer account; an admin can give it a role.")
