"""Builder: draw a workflow, see its problems and code, deploy it, compare versions, run it."""

from __future__ import annotations

from collections import Counter
from typing import Any

import streamlit as st

from core.deploy import DeployService
from core.editing import (
    delete_item,
    duplicate_node,
    insert_node,
    insertion_anchor,
    onward_handle,
    sync_from_canvas,
)
from core.errors import WorkflowBuilderError
from core.layout import auto_layout
from core.services import WorkflowService
from core.text import markdown_literal
from pages.widgets.canvas import (
    CANVAS_HEIGHT,
    TALL_CANVAS_HEIGHT,
    flow_state,
    show_canvas,
)
from pages.widgets.code import code_view
from pages.widgets.deploy_panel import (
    deploy_pending,
    remembered,
    request_deploy,
    show_outcome,
    start_requested,
    watch_deploy,
)
from pages.widgets.flow import FlowState
from pages.widgets.inspector import inspect
from pages.widgets.palette import palette
from pages.widgets.problems import problems_list
from pages.widgets.run_panel import run_panel
from pages.widgets.services import allowed, needs, user_services
from pages.widgets.session import (
    SIDE_TAB_KEY,
    WORKFLOW_KEY,
    Editor,
    commit,
    load_editor,
    select,
    step_history,
)
from pages.widgets.settings import workflow_settings
from pages.widgets.temporal import temporal_ready
from pages.widgets.versions_panel import versions_panel

services = user_services()

if "workflow" in st.query_params:
    try:
        st.session_state[WORKFLOW_KEY] = int(st.query_params["workflow"])
    except ValueError:
        st.error(
            markdown_literal(f"?workflow={st.query_params['workflow']!r} is not a workflow id.")
        )
workflow_id = st.session_state.get(WORKFLOW_KEY)
if workflow_id is None:
    st.title("Builder")
    summaries = services.workflows.list()
    if not summaries:
        st.info("There is no workflow yet: create one on the Workflows page.")
        st.page_link("pages/workflows.py", label="Workflows", icon=":material/list:")
        st.stop()
    by_id = {item.id: item.name for item in summaries}
    chosen = st.selectbox(
        "Open a workflow", list(by_id), format_func=lambda item_id: by_id[item_id], index=None
    )
    if chosen is None:
        st.stop()
    st.session_state[WORKFLOW_KEY] = workflow_id = chosen

try:
    editor: Editor = load_editor(services, workflow_id)
except WorkflowBuilderError as error:
    st.error(markdown_literal(f"Cannot open workflow {workflow_id}: {error}"))
    st.session_state.pop(WORKFLOW_KEY, None)
    st.stop()
st.query_params["workflow"] = str(workflow_id)
if not allowed(WorkflowService.save_draft):
    reason = needs(WorkflowService.save_draft)
    st.caption(f":material/lock: Read-only: changes are not saved. {reason}")


def _add(kind: str) -> None:
    document, node_id = insert_node(editor.document, kind=kind, after=editor.selected)
    commit(services, editor, document)
    select(editor, node_id)


def _duplicate() -> None:
    if editor.selected is not None:
        document, node_id = duplicate_node(editor.document, editor.selected)
        commit(services, editor, document)
        select(editor, node_id)


def _delete() -> None:
    if editor.selected is not None:
        commit(services, editor, delete_item(editor.document, editor.selected))
        select(editor, None)


def _select_problem(item_id: str) -> None:
    select(editor, item_id)
    editor.flow = None  # redraw with the node selected, so it can be found on the canvas


def _insertion_hint(document: dict[str, Any]) -> str:
    """Where the palette's next node goes, in words (see ``insertion_anchor``)."""
    anchor = insertion_anchor(document, editor.selected)
    if anchor is None:
        return "New nodes start the graph."
    what, item_id = anchor
    nodes, edges = document.get("nodes", []), document.get("edges", [])
    labels = {node.get("id"): node.get("label") or node.get("id") for node in nodes}
    if what == "edge":
        edge = next(edge for edge in edges if edge.get("id") == item_id)
        source, target = (
            markdown_literal(str(labels.get(edge.get(end)))) for end in ("source", "target")
        )
        return f"New nodes go between **{source}** and **{target}**."
    place = "before" if onward_handle(document, item_id) is None else "after"
    return f"New nodes go {place} **{markdown_literal(str(labels[item_id]))}**."


def _layout() -> None:
    commit(services, editor, auto_layout(editor.document))


def _step(back: bool) -> None:
    step_history(services, editor, back=back)


def _status(check_valid: bool, problems: int) -> str:
    """One line: saved, valid, and which version is live with or without undeployed changes."""
    if editor.saved_at:
        parts = [f"Saved at {editor.saved_at.strftime('%H:%M:%S')}"]
    else:
        parts = ["Draft not changed yet"]
    parts.append(
        ":green[:material/check_circle: valid]"
        if check_valid
        else f":red[:material/error: {problems or 'unreadable'} problem(s)]"
    )
    live = services.workflows.live(editor.workflow_id, editor.document)
    if deploying:
        parts.append("deploying the draft (see below)")
    elif live.version is None:
        parts.append("not deployed yet")
    elif live.undeployed:
        parts.append(f"live: version {live.version} · :orange[draft has undeployed changes]")
    else:
        parts.append(f"live: version {live.version} · draft deployed")
    return " · ".join(parts)


# Whether a deploy is asked for or under way, read before the header is drawn: the status line
# says so, and the box below the header shows its progress and what is live after. (Streamlit
# 1.67's browser side crashed to a blank page, "Cannot set a node at a delta path", when a
# click cut short a run that had filled a placeholder in the header, or a deploy's rerun.)
deploying = deploy_pending(workflow_id)

# Row one: the title and the status line (wrapping beside the title, never the title itself).
with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
    st.markdown(f"## {markdown_literal(editor.name)}", width="content")
    check = editor.check
    if editor.save_error:
        st.error(markdown_literal(editor.save_error))
    else:
        st.caption(_status(check.valid, len(check.problems)))
# Row two: the views on the left, what concerns the whole workflow on the right.
with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
    view = st.segmented_control(
        "View",
        ["Canvas", "Code", "Versions", "Run"],
        default="Canvas",
        key="builder_view",
        label_visibility="collapsed",
    )
    with st.container(
        horizontal=True, horizontal_alignment="right", vertical_alignment="center", width="content"
    ):
        deployable = check.valid and editor.save_error is None
        st.button(
            "Deploy",
            key="builder_deploy",
            icon=":material/rocket_launch:",
            type="primary",
            on_click=request_deploy,
            args=(workflow_id,),
            disabled=not deployable or not allowed(DeployService.deploy),
            help=needs(DeployService.deploy)
            or (
                "Deploy the saved draft as a new version"
                if deployable
                else "Fix the problems first"
            ),
        )
        with st.popover("More", icon=":material/more_vert:"):
            tall = st.toggle(
                "Tall canvas",
                key="builder_tall_canvas",
                help=f"{TALL_CANVAS_HEIGHT} px instead of {CANVAS_HEIGHT} px, for screens "
                "1080 px high or more",
            )
            st.caption(
                "Palette buttons insert after the selected node or edge. Drag from a node's "
                "right handle to another node to connect; right-click a node or an edge for its "
                "menu. Backspace deletes on the canvas, saved at your next click; the Delete key "
                "works outside the canvas and its text fields."
            )


if deploying and temporal_ready(services):
    start_requested(
        workflow_id,
        action=lambda progress: services.deploy.deploy(editor.workflow_id, progress=progress),
    )
    watch_deploy(services, workflow_id)
elif (outcome := remembered(workflow_id)) is not None:
    show_outcome(outcome)

if view == "Code":
    code_view(editor, services=services)
    st.stop()
if view in ("Versions", "Run"):
    if temporal_ready(services):
        if view == "Versions":
            versions_panel(services, workflow_id, name=editor.name)
        else:
            run_panel(services, workflow_id)
    st.stop()

# Row three, the editing tools; drawn once this run's canvas report is handled (a click there
# may change the selection they act on).
toolbar = st.container(horizontal=True, vertical_alignment="center")
palette_col, canvas_col, side_col = st.columns([1.2, 4.6, 2.2])
with palette_col:
    palette(_add, where=_insertion_hint(editor.document))

invalid = Counter(
    problem.subject for problem in check.problems if problem.scope in ("node", "edge")
)
if editor.flow is None:
    editor.flow = flow_state(
        editor.document,
        invalid=invalid,
        selected=editor.selected,
        timestamp=editor.next_timestamp(),
    )


# Not an st.fragment: every report that changes something (a selection, a move, an edit) also
# changes what is drawn outside the canvas (inspector, toolbar, status line), so it reruns the
# whole page anyway, and so does a palette click. A fragment also crashed Streamlit 1.67's
# browser side to a blank page ('setIn' cannot be called on an ElementNode) when a report
# arrived after a switch to another view, the canvas gone from the page (that was the
# component answering each new state, which our build no longer does).
def _canvas(state: FlowState, height: int) -> None:
    """The canvas; a report that selects or changes something runs the page again."""
    report = show_canvas(state, after=editor.last_event, height=height)
    if report is None:
        return
    editor.last_event = report.timestamp
    selected = editor.selected
    if report.selected_id is not None:
        select(editor, report.selected_id)
    sync = sync_from_canvas(
        editor.document, positions=report.positions, edges=report.edges, labels=report.labels
    )
    if sync.changed:
        before = editor.document
        only_moved = (
            not report.labels
            and set(report.positions) == {n["id"] for n in before["nodes"]}
            and set(report.edges) == {e["id"] for e in before["edges"]}
        )
        if only_moved:
            # The canvas shows the new positions already, so it is not redrawn.
            editor.flow = state.moved(report.positions)
        commit(
            services,
            editor,
            sync.document,
            redraw=not only_moved,
            refresh_widgets=bool(report.labels),
        )
    if sync.changed or editor.selected != selected:
        st.rerun()


with canvas_col:
    _canvas(editor.flow, TALL_CANVAS_HEIGHT if tall else CANVAS_HEIGHT)

shown = editor.document
selected_node = editor.selected in {node.get("id") for node in shown.get("nodes", [])}
selected_edge = editor.selected in {edge.get("id") for edge in shown.get("edges", [])}
with toolbar:
    st.button(
        "Undo",
        icon=":material/undo:",
        disabled=not editor.history.can_undo,
        on_click=_step,
        args=(True,),
        # No Ctrl+Z: Streamlit fires shortcuts with Ctrl inside text fields too, so it would
        # undo a graph edit where someone meant to undo their typing.
    )
    st.button(
        "Redo",
        icon=":material/redo:",
        disabled=not editor.history.can_redo,
        on_click=_step,
        args=(False,),
    )
    st.button("Auto layout", icon=":material/auto_awesome_mosaic:", on_click=_layout)
    st.button(
        "Duplicate",
        icon=":material/content_copy:",
        disabled=not selected_node,
        on_click=_duplicate,
        help="Insert a copy of the selected node after it",
    )
    st.button(
        "Delete",
        icon=":material/delete:",
        disabled=not (selected_node or selected_edge),
        on_click=_delete,
        help="Delete the selected node (the nodes before and after it are joined) or edge",
        shortcut="Delete",  # not fired in text fields, where the key edits the text
    )

with side_col:
    # Only the open tab is drawn: the settings tab's text fields, drawn hidden on a first open,
    # had the browser fetch Streamlit's code for them alongside the canvas component's, and the
    # canvas came about 0.15 s later.
    node_tab, settings_tab = st.tabs(
        ["Inspector", "Workflow settings"], key=SIDE_TAB_KEY, on_change="rerun"
    )
    key = f"inspector_{editor.generation}"
    edited = edited_settings = None
    if node_tab.open:
        with node_tab:
            edited = inspect(
                editor.document,
                editor.selected,
                problems=check.problems,
                registry=services.registry,
                key=key,
            )
    if settings_tab.open:
        with settings_tab:
            edited_settings = workflow_settings(
                editor.document, problems=check.problems, key=f"{key}_settings"
            )
changed = edited if edited is not None else edited_settings
if changed is not None:
    commit(services, editor, changed)
    st.rerun()

with canvas_col:
    problems_list(check, on_select=_select_problem)
