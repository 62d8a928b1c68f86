"""Workflow Builder's Streamlit entry point: a router over the pages in ``pages/``."""

import streamlit as st

from pages.widgets.alerts import alert_banner

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
navigation.run()
