"""Secrets (admins): create, rotate and delete them, and see which workflows use each."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from core.errors import WorkflowBuilderError
from core.secrets import SecretInfo, SecretService, SecretValue
from pages.widgets.services import user_services

_CONFIRM = "secrets_confirm_delete"
# What the last change did, shown after the rerun that lists its outcome.
_OUTCOME = "secrets_outcome"


def _when(info: SecretInfo) -> str:
    created = f"created {info.created_at:%Y-%m-%d %H:%M} UTC by {info.created_by}"
    if info.rotated_at is None:
        return created
    return f"{created}; rotated {info.rotated_at:%Y-%m-%d %H:%M} UTC"


def _act(change: Callable[[], None], done: str) -> None:
    """Make the change, then rerun so the list shows it, with the outcome above it."""
    try:
        change()
    except WorkflowBuilderError as error:
        st.session_state[_OUTCOME] = ("error", str(error))
    else:
        st.session_state[_OUTCOME] = ("success", done)
    st.rerun()


def _create_form(secrets: SecretService) -> None:
    with st.form("create_secret", clear_on_submit=True, border=True):
        st.subheader("New secret")
        name = st.text_input("Name", placeholder="crm_token", help="Lower-case letters, digits, _")
        value = st.text_input("Value", type="password")
        if st.form_submit_button("Create", icon=":material/add:"):
            name = name.strip()
            _act(partial(secrets.create, name, SecretValue(value)), f"Secret {name} created.")


def _secret(secrets: SecretService, info: SecretInfo) -> None:
    with st.container(border=True):
        st.markdown(f"**`{info.name}`**")
        st.text(_when(info))
        used = ", ".join(info.used_by) if info.used_by else "no workflow"
        st.text(f"Used by: {used}")
        rotate_col, delete_col = st.columns([3, 1], vertical_alignment="bottom")
        with rotate_col.form(f"rotate_{info.name}", clear_on_submit=True, border=False):
            value = st.text_input("New value", type="password", key=f"value_{info.name}")
            if st.form_submit_button("Rotate", icon=":material/autorenew:"):
                _act(
                    partial(secrets.rotate, info.name, SecretValue(value)),
                    f"Secret {info.name} rotated: steps from now on get the new value.",
                )
        if st.session_state.get(_CONFIRM) != info.name:
            if delete_col.button("Delete", key=f"delete_{info.name}", icon=":material/delete:"):
                st.session_state[_CONFIRM] = info.name
                st.rerun()
            return
        users = (
            f" {len(info.used_by)} workflow(s) use it: their steps will fail."
            if info.used_by
            else ""
        )
        st.warning(f"Delete secret {info.name}?{users}")
        yes_col, no_col = st.columns(2)
        if yes_col.button("Delete for good", key=f"confirm_{info.name}", type="primary"):
            st.session_state.pop(_CONFIRM, None)
            _act(partial(secrets.delete, info.name), f"Secret {info.name} deleted.")
        if no_col.button("Keep it", key=f"keep_{info.name}"):
            st.session_state.pop(_CONFIRM, None)
            st.rerun()


st.title("Secrets")
st.caption(
    "Values that steps need but nobody should read: refer to one in an activity argument as "
    '`secret("name")`. Values are stored encrypted, resolved by the worker when the step runs, '
    "and never shown again."
)
secrets = user_services().secrets
try:
    listed = secrets.list()
except WorkflowBuilderError as error:  # a role below admin is refused even the names
    st.error(str(error))
    st.stop()
outcome = st.session_state.pop(_OUTCOME, None)
if outcome is not None:
    kind, message = outcome
    (st.error if kind == "error" else st.success)(message)
_create_form(secrets)
if not listed:
    st.info("No secrets yet.")
for item in listed:
    _secret(secrets, item)
