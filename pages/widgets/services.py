"""Shared by every page: the process-wide services object, and the same services acting for
the signed-in user (what pages call)."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Callable

import streamlit as st
from streamlit import config

from core.auth import SYSTEM, Actor, Role, allows, rule_of
from core.config import load_settings
from core.logs import setup_logging
from core.services import AppServices, UserServices, build_services

#: Session state: the actor of this browser session, set by app.py at the top of each run.
ACTOR_KEY = "wb_actor"
#: Session state: the session token signed in with in this browser session.
TOKEN_KEY = "wb_session_token"
#: The browser cookie that keeps the session token across page reloads.
COOKIE = "wb_session"
#: Where the console may run without sign-in (``WB_AUTH=off``).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@st.cache_resource(show_spinner="Starting Workflow Builder...")
def get_services() -> AppServices:
    """The one services object of this server process (acting as the process itself: pages
    use :func:`user_services` instead).

    It is closed when the server exits, so workers are recorded as stopped and the embedded
    Temporal dev server does not outlive the app (and block its port on the next start).
    """
    settings = load_settings()
    setup_logging(settings)
    services = build_services(settings)
    atexit.register(services.close)
    # What is alive now (modules, the services, Temporal's and SQLAlchemy's tables) lives as
    # long as the process: frozen, full collections no longer walk it. Unfrozen, each one took
    # 100-220 ms in the middle of a page's script run (the builder's first open, a palette click).
    gc.collect()
    gc.freeze()
    return services


def user_services() -> UserServices:
    """The services acting for the signed-in user: every page and fragment uses these, so
    each action is checked against the user's role in core.

    A page reached without a signed-in user (run on its own, not through app.py) stops here.
    """
    actor = st.session_state.get(ACTOR_KEY)
    if actor is None:
        actor = signed_in_actor()
        if actor is None:
            st.warning("Sign in first.", icon=":material/lock:")
            st.stop()
        st.session_state[ACTOR_KEY] = actor  # what allowed() and needs() go by
    return get_services().for_actor(actor)


def bound_to_loopback() -> bool:
    """Whether the console listens on a loopback address only (``server.address``)."""
    return str(config.get_option("server.address") or "") in LOOPBACK


def sign_in_off() -> bool:
    """Whether ``WB_AUTH=off`` asks for no sign-in (allowed only when bound to loopback)."""
    return get_services().settings.auth == "off"


def signed_in_actor() -> Actor | None:
    """Who this browser session acts as, None when nobody is signed in.

    ``WB_AUTH=off`` on a loopback-bound console: the system admin. Single sign-on: the
    account of ``st.user``'s address. Otherwise the session of the token signed in with, or
    of the browser's cookie, if it has not expired.

    Raises:
        SignInError: the single sign-on account is disabled.
    """
    services = get_services()
    if sign_in_off():
        return Actor(SYSTEM.name, Role.ADMIN, services.audit) if bound_to_loopback() else None
    if st.user.get("is_logged_in") and isinstance(st.user.get("email"), str):
        return services.accounts.sign_in_external(str(st.user.get("email")))
    return services.accounts.resume(session_token())


def session_token() -> str | None:
    """The session token of this browser session: signed in with now, or from its cookie."""
    cookie = st.context.cookies.get(COOKIE)
    # AppTest has no browser: its cookies are stand-ins, not strings.
    return st.session_state.get(TOKEN_KEY) or (cookie if isinstance(cookie, str) else None)


def allowed(method: Callable[..., object]) -> bool:
    """Whether the signed-in user's role may call a service method (``DeployService.deploy``):
    pages offer only what it allows (the service checks again)."""
    actor: Actor | None = st.session_state.get(ACTOR_KEY)
    return actor is not None and allows(actor.role, method)


def offer(method: Callable[..., object]) -> bool:
    """Whether to show an action: True when the user's role may call ``method``; otherwise
    a caption says which role it needs, in place of the action."""
    reason = needs(method)
    if reason is not None:
        st.caption(f":material/lock: {reason}")
    return reason is None


def needs(method: Callable[..., object]) -> str | None:
    """Why the signed-in user may not call ``method`` ("Needs the editor role"), None if they
    may: for a disabled button's tooltip or a caption."""
    rule = rule_of(method)
    if rule is None or allowed(method):
        return None
    return f"Needs the {rule.role.label} role."
