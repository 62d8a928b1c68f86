"""Workflow Builder core: everything except the Streamlit pages (imports without Streamlit)."""
