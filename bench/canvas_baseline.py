"""Baseline page for bench/builder_browser.py: the builder's canvas of one graph, nothing else.

Run by the benchmark with ``streamlit run``; the graph comes from the JSON file named by
``WB_BENCH_GRAPH``. An "Add" button appends one node, the least a palette click must do.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pages.widgets.canvas import flow_state, show_canvas  # noqa: E402

st.set_page_config(page_title="Canvas baseline", layout="wide")
if "document" not in st.session_state:
    st.session_state.document = json.loads(Path(os.environ["WB_BENCH_GRAPH"]).read_text())
    st.session_state.flow = None


def _add() -> None:
    document = st.session_state.document
    document["nodes"].append(
        {
            "id": "timer_1",
            "type": "timer",
            "label": "Timer",
            "params": {"duration": "30s"},
            "position": {"x": -210, "y": 0},
        }
    )
    st.session_state.flow = None


def _remove() -> None:
    document = st.session_state.document
    document["nodes"] = [node for node in document["nodes"] if node["id"] != "timer_1"]
    st.session_state.flow = None


st.button("Add", on_click=_add)
st.button("Remove", on_click=_remove)
if st.session_state.flow is None:
    st.session_state.flow = flow_state(
        st.session_state.document,
        invalid={},
        selected=None,
        timestamp=int(time.time() * 1000),
    )
show_canvas(st.session_state.flow, after=st.session_state.flow.timestamp)
