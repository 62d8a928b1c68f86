"""Accounts (admins): who may sign in, with which role; create, disable, reset a password."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.auth import Role
from core.db import UserRecord
from core.errors import WorkflowBuilderError
from core.text import markdown_literal
from pages.widgets.services import user_services

ROLES = [role.label for role in Role]

services = user_services()
accounts = services.accounts

st.title("Accounts")
st.caption(
    "Viewers read everything; operators also start, signal, cancel and reset runs, run "
    "schedules and workers; editors also edit, import, deploy and roll back; admins also "
    "manage accounts, read the audit log and delete workflows."
)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _state(user: UserRecord, now: datetime) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return f"locked until {user.locked_until:%H:%M} UTC"
    return "active"


def _done(message: str) -> None:
    st.session_state["accounts_done"] = message
    st.rerun()


users = accounts.list()
now = datetime.now(UTC)
st.dataframe(
    pd.DataFrame(
        [
            {
                "User": user.username,
                "Role": user.role,
                "State": _state(user, now),
                "Failed sign-ins": user.failed_attempts,
                "Last sign-in": _when(user.last_sign_in),
                "Sign-in": "password" if user.has_password else "single sign-on",
                "Created": _when(user.created_at),
            }
            for user in users
        ]
    ),
    hide_index=True,
    width="stretch",
)
if done := st.session_state.pop("accounts_done", None):
    st.success(markdown_literal(done), icon=":material/check:")

create_tab, manage_tab = st.tabs(["New account", "Change an account"])
with create_tab, st.form("create_account", border=False):
    username = st.text_input("User name", autocomplete="off")
    role = st.selectbox("Role", ROLES, index=0)
    password = st.text_input("Password", type="password", autocomplete="new-password")
    if st.form_submit_button("Create the account", type="primary"):
        try:
            created = accounts.create(username, password=password, role=Role[role.upper()])
        except WorkflowBuilderError as error:
            st.error(markdown_literal(str(error)))
        else:
            _done(f"{created.username} can sign in as {created.role}.")

with manage_tab:
    by_name = {user.username: user for user in users}
    chosen = by_name[st.selectbox("Account", list(by_name), key="accounts_chosen")]
    role_col, state_col = st.columns(2)
    with role_col, st.form("set_role", border=False):
        new_role = st.selectbox("Role", ROLES, index=ROLES.index(chosen.role))
        if st.form_submit_button("Change the role"):
            try:
                accounts.set_role(chosen.id, Role[new_role.upper()])
            except WorkflowBuilderError as error:
                st.error(markdown_literal(str(error)))
            else:
                _done(f"{chosen.username} is now {new_role}.")
    with state_col:
        label = "Enable the account" if chosen.disabled else "Disable the account"
        st.caption("A disabled account cannot sign in; its open sessions end at once.")
        if st.button(label, key="accounts_toggle"):
            try:
                accounts.set_disabled(chosen.id, not chosen.disabled)
            except WorkflowBuilderError as error:
                st.error(markdown_literal(str(error)))
            else:
                _done(f"{chosen.username} is {'enabled' if chosen.disabled else 'disabled'}.")
    with st.form("reset_password", border=False):
        new_password = st.text_input(
            "New password", type="password", autocomplete="new-password", key="accounts_reset"
        )
        st.caption("A new password also lifts a lock and ends the account's open sessions.")
        if st.form_submit_button("Set the password"):
            try:
                accounts.reset_password(chosen.id, password=new_password)
            except WorkflowBuilderError as error:
                st.error(markdown_literal(str(error)))
            else:
                _done(f"{chosen.username} has a new password.")
