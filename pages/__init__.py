"""The Streamlit screens; ``app.py`` routes to them with ``st.navigation``."""
