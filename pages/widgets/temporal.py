"""Temporal from a page: started on first use behind a spinner, and links to its Web UI."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkflowBuilderError
from core.services import AppServices


def temporal_ready(services: AppServices) -> bool:
    """Start Temporal's side if needed (with a spinner the first time); False if it cannot."""
    if services.temporal_started:
        return True
    try:
        with st.spinner("Starting Temporal (first use only)..."):
            services.temporal  # noqa: B018 -- the property starts the server, workers and client
    except WorkflowBuilderError as error:
        st.error(f"Temporal is not available: {error}", icon=":material/cloud_off:")
        return False
    return True


def run_url(services: AppServices, *, workflow_id: str, run_id: str) -> str | None:
    """The run's history page in the embedded Temporal Web UI (None for an external cluster)."""
    ui_url = services.temporal.endpoint.ui_url
    if ui_url is None:
        return None
    namespace = services.settings.temporal_namespace
    return f"{ui_url}/namespaces/{namespace}/workflows/{workflow_id}/{run_id}/history"
