"""Temporal from a page: started on first use behind a spinner, and links to its Web UI."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkflowBuilderError
from core.services import UserServices
from core.temporal.web_ui import run_history_url, web_ui_base


def temporal_ready(services: UserServices) -> bool:
    """Start Temporal's side if needed (with a spinner the first time); False if it cannot."""
    if services.temporal_started:
        return True
    try:
        with st.spinner("Starting Temporal (first use only)..."):
            services.start_temporal()
    except WorkflowBuilderError as error:
        st.error(f"Temporal is not available: {error}", icon=":material/cloud_off:")
        return False
    return True


def run_url(services: UserServices, *, workflow_id: str, run_id: str) -> str | None:
    """The run's history page in the Temporal Web UI (None: no Web UI is known).

    ``WB_TEMPORAL_UI_URL`` when set, else the embedded server's UI at the host this browser
    used to reach the console.
    """
    configured = services.settings.temporal_ui_url
    base = web_ui_base(
        configured=configured,
        embedded=None if configured else services.embedded_ui_url,
        browser=st.context.url or st.context.headers.get("host"),
    )
    if base is None:
        return None
    namespace = services.settings.temporal_namespace
    return run_history_url(base, namespace=namespace, workflow_id=workflow_id, run_id=run_id)
