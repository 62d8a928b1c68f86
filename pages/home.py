"""Home: what ships with Workflow Builder, starting with the example gallery and its health."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.examples import list_examples
from pages.widgets.services import get_services

st.title("Workflow Builder")
st.caption(
    "Draw workflows, build them into Temporal code, deploy them to managed workers, "
    "and watch their runs."
)

services = get_services()
rows = []
for example in list_examples():
    check = services.workflows.check(example.document)
    if check.format_error is not None:
        status, detail = "unreadable", str(check.format_error)
    elif check.problems:
        status, detail = f"{len(check.problems)} problem(s)", str(check.problems[0])
    else:
        status, detail = "valid", ""
    rows.append(
        {
            "Example": example.name,
            "What it shows": example.description,
            "Nodes": len(example.document.get("nodes", [])),
            "Validation": status,
            "First problem": detail,
        }
    )

st.subheader("Example workflows")
valid = sum(row["Validation"] == "valid" for row in rows)
st.metric("Valid examples", f"{valid} of {len(rows)}")
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
