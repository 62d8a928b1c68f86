"""Workflow Builder's Streamlit entry point: a router over the pages in ``pages/``."""

import streamlit as st

from pages.widgets.alerts import alert_banner
from pages.widgets.errors import show_unexpected

st.set_page_config(
    page_title="Workflow Builder", page_icon=":material/account_tree:", layout="wide"
)

navigation = st.navigation(
    [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/workflows.py", title="Workflows", icon=":material/list:"),
        st.Page("pages/runs.py", title="Runs", icon=":material/play_circle:", url_path="runs"),
        st.Page("pages/builder.py", title="Builder", icon=":material/account_tree:"),
        st.Page("pages/workers.py", title="Workers", icon=":material/dns:"),
        st.Page("pages/health.py", title="Health", icon=":material/health_and_safety:"),
        st.Page("pages/run.py", title="Run", icon=":material/timeline:", url_path="run"),
    ]
)
alert_banner()
try:
    navigation.run()
# Broad on purpose: the browser gets an error id, the log the traceback. Streamlit's control
# flow (st.rerun, st.stop, st.switch_page) raises BaseException subclasses and passes through.
except Exception as error:
    show_unexpected(error, where=f"page {navigation.title}")
