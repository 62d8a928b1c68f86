"""Shared by every page: the process-wide services object."""

from __future__ import annotations

import streamlit as st

from core.config import load_settings
from core.services import AppServices, build_services


@st.cache_resource(show_spinner="Starting Workflow Builder...")
def get_services() -> AppServices:
    """The one services object of this server process."""
    return build_services(load_settings())
