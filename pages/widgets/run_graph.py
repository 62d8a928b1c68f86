"""A run drawn on its graph: the builder's canvas, read-only, nodes coloured by what happened."""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd
import streamlit as st

from core.graph import graph_to_dict
from core.layout import auto_layout
from core.runs import NodeRun, PendingActivity, RunDetail
from core.runs.presentation import (
    STATE_STYLES,
    NodeLook,
    call_timing,
    node_look,
    node_title,
)
from core.text import markdown_code, markdown_literal
from pages.widgets.canvas import flow_edges, flow_node
from pages.widgets.flow import FlowState, NodeFace, flow_canvas
from pages.widgets.kind_looks import look as kind_look

#: Session key of the drawn state: redrawn only when a node's look changes, so a live run's
#: canvas keeps its zoom and pan between polls.
_DRAWN_KEY = "run_graph_drawn"
_TIME = "%Y-%m-%d %H:%M:%S"
#: Calls' times without the date (the summary has it), so the table fits at 1280 px.
_CLOCK = "%H:%M:%S"
#: Lower than the builder's canvas: the node details below it should be in view too.
RUN_CANVAS_HEIGHT = 380


def canvas_key(workflow_id: str, run_id: str) -> str:
    """The canvas component's key for one run (a click on another run's graph is not kept)."""
    return f"run_canvas_{workflow_id}_{run_id}"


def node_looks(detail: RunDetail) -> dict[str, NodeLook]:
    """Each node's look in this run, the attempt in flight taken from pending activities."""
    if detail.graph is None:
        return {}
    pending = {item.node_id: item.attempt for item in detail.pending if item.node_id}
    return {
        node.id: node_look(
            node, detail.trace.nodes.get(node.id), pending_attempt=pending.get(node.id)
        )
        for node in detail.graph.nodes
    }


def run_graph(detail: RunDetail) -> str | None:
    """Draw the run's graph; return the node clicked last (None before any click)."""
    if detail.graph is None:
        st.info("This run is not of a workflow drawn here, so there is no graph to show.")
        return None
    looks = node_looks(detail)
    record = detail.record
    signature = (
        record.workflow_id,
        record.run_id,
        tuple(sorted((node_id, look.title, look.notes) for node_id, look in looks.items())),
    )
    drawn = st.session_state.get(_DRAWN_KEY)
    if drawn is None or drawn[0] != signature:
        drawn = (signature, _flow_state(detail, looks))
        st.session_state[_DRAWN_KEY] = drawn
    report = flow_canvas(
        canvas_key(record.workflow_id, record.run_id),
        drawn[1],
        height=RUN_CANVAS_HEIGHT,
        editable=False,
    )
    _legend()
    if report is None or report.selected_id not in looks:
        return None
    return report.selected_id


def _flow_state(detail: RunDetail, looks: dict[str, NodeLook]) -> FlowState:
    assert detail.graph is not None
    document = graph_to_dict(detail.graph)
    spots = {(n["position"]["x"], n["position"]["y"]) for n in document["nodes"]}
    if len(spots) < len(document["nodes"]):
        document = auto_layout(document)  # graphs made outside the builder may lack positions
    nodes = tuple(
        flow_node(
            node,
            face=_face(node, looks[node["id"]]),
            style=_style(looks[node["id"]]),
            editable=False,
        )
        for node in document["nodes"]
    )
    # The frontend adopts a state only when its timestamp is newer than what it last sent.
    return FlowState(nodes, flow_edges(document, editable=False), timestamp=int(time.time() * 1000))


def _face(node: dict[str, Any], look: NodeLook) -> NodeFace:
    """The node's title over what happened there, in the state's colour, with its kind's icon."""
    return NodeFace(
        label=look.title,
        title=" · ".join(look.notes),
        colour=look.style.border,
        icon=kind_look(str(node.get("type", ""))).bootstrap,
    )


def _style(look: NodeLook) -> dict[str, Any]:
    style: dict[str, Any] = {
        "background": look.style.background,
        "border": f"2px solid {look.style.border}",
        "color": "#111827",
    }
    if look.style.faded:
        style.update(opacity=0.6, color="#6B7280", borderStyle="dashed")
    return style


def _legend() -> None:
    st.caption(
        "  ".join(
            f":{style.badge}[:material/square:] {style.title}" for style in STATE_STYLES.values()
        )
        + "  · click a node to see what happened there"
    )


def node_details(detail: RunDetail, node_id: str) -> None:
    """What happened at one node: visits, each call's input, output, attempts and timing."""
    graph = detail.graph
    node = graph.node(node_id) if graph is not None else None
    if node is None:
        return
    look = node_looks(detail)[node_id]
    run = detail.trace.nodes.get(node_id) or NodeRun(node_id, look.state)
    title, kind = markdown_literal(node_title(node)), markdown_literal(node.type)
    st.markdown(f"**{title}** · {markdown_code(node_id)} · {kind}")
    st.caption(f"{' · '.join(look.notes)} · visited {run.visits} time(s)")
    if run.failure:
        st.markdown(":red[:material/error: **Last failure**]")
        st.code(run.failure, language=None, wrap_lines=True)
    pending = [item for item in detail.pending if item.node_id == node_id]
    if pending:
        _pending_table(pending)
    if not run.calls:
        st.caption("No activity, child run or timer was started here.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Call": index,
                    "Kind": call.kind,
                    "Name": call.name,
                    "Attempt": call.attempt,
                    "Outcome": call.outcome,
                    "Scheduled": call.scheduled_at.strftime(_CLOCK),
                    "Started": call.started_at.strftime(_CLOCK) if call.started_at else "",
                    "Closed": call.closed_at.strftime(_CLOCK) if call.closed_at else "",
                    "Waited": call_timing(call)[0],
                    "Ran": call_timing(call)[1],
                    "Worker": call.identity or "",
                }
                for index, call in enumerate(run.calls, start=1)
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    shown = run.calls[-_SHOWN_CALLS:]
    first = len(run.calls) - len(shown) + 1
    for index, call in enumerate(shown, start=first):
        with st.expander(
            markdown_literal(f"Call {index}: {call.kind} {call.name} ({call.outcome})")
        ):
            st.markdown("Input")
            st.code(_json(call.input), language="json", wrap_lines=True)
            if call.outcome == "completed":
                st.markdown("Output")
                st.code(_json(call.output), language="json", wrap_lines=True)
            if call.failure:
                st.markdown("Failure")
                st.code(call.failure, language=None, wrap_lines=True)


#: Calls whose input and output are shown one by one (a loop may call thousands of times).
_SHOWN_CALLS = 20


def pending_activities(pending: tuple[PendingActivity, ...]) -> None:
    """The run's activities in flight, with attempt and last failure."""
    if not pending:
        st.caption("No activity is in flight.")
        return
    _pending_table(list(pending))


def _pending_table(pending: list[PendingActivity]) -> None:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Node": item.node_id or "",
                    "Activity": item.activity_type,
                    "State": item.state,
                    "Attempt": item.attempt,
                    "Scheduled": item.scheduled_at.strftime(_TIME) if item.scheduled_at else "",
                    "Last started": (
                        item.last_started_at.strftime(_TIME) if item.last_started_at else ""
                    ),
                    "Last failure": item.last_failure or "",
                }
                for item in pending
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
