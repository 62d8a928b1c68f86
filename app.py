"""Workflow Builder's Streamlit entry point: the sign-in gate, then a router over the pages in
``pages/``."""

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from core.auth import Actor, PermissionDeniedError, allows
from core.auth.accounts import AccountService, SignInError
from core.auth.audit import AuditLog
from core.secrets import SecretService
from pages.widgets.account_menu import account_menu
from pages.widgets.alerts import alert_banner
from pages.widgets.errors import show_failure
from pages.widgets.page_style import tighten_margins
from pages.widgets.services import ACTOR_KEY, bound_to_loopback, sign_in_off, signed_in_actor

# The favicon is a file of our own: Streamlit makes a ``:material/...:`` page icon a
# fonts.gstatic.com URL, and the console must work with no outside host (an SVG file becomes a
# data: URL).
FAVICON = Path(__file__).parent / "static" / "favicon.svg"

st.set_page_config(page_title="Workflow Builder", page_icon=str(FAVICON), layout="wide")
tighten_margins()


def _gate(page: str, title: str) -> None:
    """Show only ``page`` (sign-in, or why there is none) until someone is signed in."""
    st.session_state.pop(ACTOR_KEY, None)
    st.navigation([st.Page(page, title=title, icon=":material/lock:")], position="hidden").run()
    st.stop()


def _pages(actor: Actor) -> list[StreamlitPage]:
    """The pages ``actor`` may open (admin pages only for roles that may use them)."""
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/workflows.py", title="Workflows", icon=":material/list:"),
        st.Page("pages/runs.py", title="Runs", icon=":material/play_circle:", url_path="runs"),
        st.Page("pages/builder.py", title="Builder", icon=":material/account_tree:"),
        st.Page("pages/workers.py", title="Workers", icon=":material/dns:"),
        st.Page("pages/health.py", title="Health", icon=":material/health_and_safety:"),
        st.Page("pages/run.py", title="Run", icon=":material/timeline:", url_path="run"),
    ]
    if allows(actor.role, AccountService.list):
        pages.append(
            st.Page(
                "pages/accounts.py", title="Accounts", icon=":material/group:", url_path="accounts"
            )
        )
    if allows(actor.role, AuditLog.entries):
        pages.append(
            st.Page("pages/audit.py", title="Audit log", icon=":material/policy:", url_path="audit")
        )
    if allows(actor.role, SecretService.list):
        pages.append(
            st.Page("pages/secrets.py", title="Secrets", icon=":material/key:", url_path="secrets")
        )
    return pages


def _main() -> None:
    """Sign-in, then the page asked for."""
    if sign_in_off() and not bound_to_loopback():
        _gate("pages/sign_in_refused.py", "Sign-in needed")
    try:
        actor = signed_in_actor()
    except SignInError as error:  # a disabled single sign-on account
        st.error(str(error), icon=":material/lock:")
        actor = None
    if actor is None:
        _gate("pages/sign_in.py", "Sign in")
    assert actor is not None
    st.session_state[ACTOR_KEY] = actor
    navigation = st.navigation(_pages(actor))
    account_menu(actor)
    alert_banner()
    try:
        navigation.run()
    except PermissionDeniedError as error:  # a page offered what the role may not do
        st.error(str(error), icon=":material/block:")
    # Broad on purpose: the browser gets an outage notice or an error id, the log the
    # traceback. Streamlit's control flow (st.rerun, st.stop, st.switch_page) raises
    # BaseException subclasses and passes through.
    except Exception as error:
        show_failure(error, where=f"page {navigation.title}")


try:
    _main()
except Exception as error:  # before any page ran: signing in and the banner need the database
    show_failure(error, where="sign-in and navigation")
