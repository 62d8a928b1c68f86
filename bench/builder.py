"""Benchmark: server-side time of one builder rerun with a 20-node and a 200-node graph.

Baseline, in the same run: an AppTest rerun of a minimal script with the app's page config and
only the canvas of the same graph (drawn by the builder's own canvas helpers, built once and
kept, a node selected): what Streamlit and the component cost without the builder's logic.
Each size prints both medians and the ratio builder / baseline; the last line printed is one
JSON object of the figures, each named with its unit.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 15
TARGET_200_MS = 250.0
# The baseline app: app.py's page config, then the canvas of the document in session state.
CANVAS_ONLY_SCRIPT = """
import streamlit as st

from pages.widgets.canvas import flow_state, show_canvas

st.set_page_config(
    page_title="Workflow Builder", page_icon=":material/account_tree:", layout="wide"
)
if "flow" not in st.session_state:
    st.session_state.flow = flow_state(
        st.session_state.document, invalid={}, selected="n1", timestamp=1
    )
show_canvas(st.session_state.flow, after=1)
"""


def chain_document(name: str, size: int) -> dict:
    """A valid graph of ``size`` nodes: start, alternating activities and set-variables, end."""
    nodes = [{"id": "start", "type": "start", "label": "Start", "params": {}, "position": {}}]
    for index in range(size - 2):
        if index % 2:
            params = {"activity": "echo", "args": {"value": {"expr": f"v{index - 1}"}}}
            nodes.append(
                {"id": f"n{index}", "type": "activity", "label": f"Echo {index}", "params": params}
            )
        else:
            params = {"name": f"v{index}", "expression": f"{index} * 2"}
            nodes.append(
                {
                    "id": f"n{index}",
                    "type": "set_variable",
                    "label": f"Set {index}",
                    "params": params,
                }
            )
    nodes.append({"id": "end", "type": "end", "label": "End", "params": {}})
    for index, node in enumerate(nodes):
        node["position"] = {"x": 220 * index, "y": 0}
    edges = [
        {"id": f"e{index}", "source": a["id"], "target": b["id"], "handle": "next"}
        for index, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))
    ]
    return {
        "format": "workflow-builder/1",
        "workflow": {
            "name": name,
            "description": "",
            "task_queue": None,
            "signals": [],
            "queries": [],
        },
        "nodes": nodes,
        "edges": edges,
    }


def time_rerun(size: int) -> tuple[float, float, int]:
    """Median ms of a plain builder rerun and of an edit rerun, and the draft's problem count.

    The plain rerun is ``at.run()`` with a node selected (its inspector drawn). The edit rerun
    is a palette click: add a node, save the draft, validate it, redraw the canvas (each one is
    undone, untimed, so the graph keeps its size).
    """
    from streamlit.testing.v1 import AppTest

    from pages.widgets.services import get_services

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    services = get_services()
    record = services.workflows.create(name=f"bench_{size}")
    document = chain_document(f"bench_{size}", size)
    services.workflows.save_draft(record.id, document)
    at.session_state["builder_workflow_id"] = record.id
    at.switch_page("pages/builder.py").run()
    # A node selected, as while editing: the inspector form is drawn too.
    at.session_state["builder_editor"].selected = "n1"
    at.run()
    assert not at.exception, at.exception
    problems = len(at.session_state["builder_editor"].check.problems)
    plain, edit = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        at.run()
        plain.append((time.perf_counter() - start) * 1000)
        palette_button = at.button(key="palette_timer").click()
        start = time.perf_counter()
        palette_button.run()
        edit.append((time.perf_counter() - start) * 1000)
        assert len(at.session_state["builder_editor"].document["nodes"]) == size + 1
        next(b for b in at.button if b.label == "Undo").click().run()
    return statistics.median(plain), statistics.median(edit), problems


def time_canvas_only(size: int) -> float:
    """Median ms of a rerun of the canvas-only baseline app with the same ``size``-node graph."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(CANVAS_ONLY_SCRIPT, default_timeout=60)
    at.session_state["document"] = chain_document(f"bench_{size}", size)
    at.run()
    assert not at.exception, at.exception
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the figures, then one JSON line of them."""
    os.environ["WB_DATA_DIR"] = tempfile.mkdtemp(prefix="wb-bench-")
    # The fresh database has no account: with sign-in on, the app would show only its sign-in page.
    os.environ["WB_AUTH"] = "off"
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    figures = {}
    for size in (20, 200):
        plain_ms, edit_ms, problems = time_rerun(size)
        print(f"{size} nodes ({problems} problems), median of {RUNS} runs:")
        print(f"  builder rerun       {plain_ms:7.1f} ms")
        print(f"  rerun with an edit  {edit_ms:7.1f} ms (add node, save, validate, redraw)")
        baseline_ms = time_canvas_only(size)
        print(f"  baseline rerun      {baseline_ms:7.1f} ms (page config and the canvas only)")
        print(f"  builder / baseline  {plain_ms / baseline_ms:7.2f}")
        figures[f"builder_rerun_{size}_nodes_ms"] = round(plain_ms, 1)
        figures[f"builder_edit_rerun_{size}_nodes_ms"] = round(edit_ms, 1)
        figures[f"baseline_canvas_only_rerun_{size}_nodes_ms"] = round(baseline_ms, 1)
        figures[f"baseline_ratio_builder_rerun_{size}_nodes"] = round(plain_ms / baseline_ms, 2)
    verdict = "meets" if figures["builder_rerun_200_nodes_ms"] <= TARGET_200_MS else "MISSES"
    print(f"200 nodes {verdict} the target of {TARGET_200_MS:.0f} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
