"""What a console with ``WB_AUTH=off`` shows when it is not bound to loopback: nothing else."""

import streamlit as st

st.title("Workflow Builder")
st.error(
    "Sign-in is switched off (`WB_AUTH=off`), which is allowed only for a console that "
    "listens on this machine alone. Either bind it to loopback (`--server.address 127.0.0.1`, "
    'or `address = "127.0.0.1"` under `[server]` in `.streamlit/config.toml`), or remove '
    "`WB_AUTH=off` so that everyone signs in.",
    icon=":material/lock:",
)
