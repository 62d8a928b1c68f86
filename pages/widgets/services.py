"""Shared by every page: the process-wide services object."""

from __future__ import annotations

import atexit

import streamlit as st

from core.config import load_settings
from core.logs import setup_logging
from core.services import AppServices, build_services


@st.cache_resource(show_spinner="Starting Workflow Builder...")
def get_services() -> AppServices:
    """The one services object of this server process.

    It is closed when the server exits, so workers are recorded as stopped and the embedded
    Temporal dev server does not outlive the app (and block its port on the next start).
    """
    settings = load_settings()
    setup_logging(settings)
    services = build_services(settings)
    atexit.register(services.close)
    return services
