"""Workflows: the list of workflow definitions and what can be done to each one."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.errors import GraphFormatError, WorkflowBuilderError
from core.examples import list_examples
from core.graph.messages import WORKFLOW_NAME_RULE
from core.runs.listing import last_run_text, runs_link
from core.services import WorkflowService
from core.text import markdown_literal
from pages.widgets.services import offer, user_services
from pages.widgets.session import open_in_builder

CHOICE = "workflows_choice"
#: How many times a row was opened in this session (part of the table's key, see below).
OPENED = "workflows_opened"
PENDING_CHOICE = "workflows_pending_choice"

services = user_services()

st.title("Workflows")


def _show_error(error: WorkflowBuilderError) -> None:
    if isinstance(error, GraphFormatError):
        st.error("The file is not a readable workflow graph; nothing was saved.")
        for where, reason in error.problems:
            st.markdown(f"- **{markdown_literal(where)}**: {markdown_literal(reason)}")
    else:
        st.error(markdown_literal(str(error)))


def _create_forms() -> None:
    create_tab, example_tab, import_tab = st.tabs(["Blank", "From an example", "Import a file"])
    with create_tab, st.form("create_blank", clear_on_submit=False, border=False):
        blank_name = st.text_input(
            "Name", key="blank_name", placeholder="order_approval", help=WORKFLOW_NAME_RULE
        )
        title = st.text_input("Title", key="blank_title", placeholder="Order approval")
        if st.form_submit_button("Create", type="primary"):
            try:
                record = services.workflows.create(name=blank_name.strip(), title=title.strip())
            except WorkflowBuilderError as error:
                _show_error(error)
            else:
                open_in_builder(record.id)
    with example_tab:
        examples = {example.name: example for example in list_examples()}
        with st.form("create_from_example", border=False):
            example_name = st.selectbox(
                "Example",
                list(examples),
                format_func=lambda key: f"{key}: {examples[key].description}",
            )
            example_copy = st.text_input(
                "Name", key="example_new_name", placeholder="leave empty to use the example's name"
            )
            if st.form_submit_button("Create from example", type="primary"):
                try:
                    record = services.workflows.create_from_example(
                        example_name, name=example_copy.strip() or example_name
                    )
                except WorkflowBuilderError as error:
                    _show_error(error)
                else:
                    open_in_builder(record.id)
    with import_tab:
        upload = st.file_uploader("Graph file (workflow-builder/1 JSON)", type=["json"])
        import_name = st.text_input(
            "Name (leave empty to keep the file's)", key="import_name", placeholder="imported_flow"
        )
        if st.button("Import", disabled=upload is None, type="primary"):
            # Streamlit discards a click on a button disabled in this run, so a file is chosen.
            assert upload is not None
            try:
                record = services.workflows.import_document(
                    upload.getvalue(), name=import_name.strip() or None
                )
            except WorkflowBuilderError as error:
                _show_error(error)
            else:
                st.success(markdown_literal(f"Imported {record.name}."))


search_col, create_col = st.columns([3, 1], vertical_alignment="bottom")
search = search_col.text_input(
    "Search", placeholder="Name or title", key="workflows_search", icon=":material/search:"
)
if offer(WorkflowService.create):
    with create_col.popover("New workflow", icon=":material/add:", type="primary", width="stretch"):
        _create_forms()

listing = services.workflows.listing()
if not listing:
    st.info(
        "No workflows yet: create one with **New workflow** (blank, from an example or "
        "from a file)."
    )
    st.stop()
words = search.strip().lower()
shown = [item for item in listing if words in item.name.lower() or words in item.title.lower()]
st.caption(
    f"{len(shown)} of {len(listing)} workflow(s). Click a row to open it in the builder."
    if words
    else f"{len(listing)} workflow(s). Click a row to open it in the builder."
)
now = datetime.now(UTC)
# A new key after each open: the table's selection would otherwise open the same row again
# when this page is shown next.
table_key = f"workflows_table_{st.session_state.get(OPENED, 0)}"
picked = st.dataframe(
    pd.DataFrame(
        [
            {
                "Workflow": item.title,
                "Name": item.name,
                "Live": "not deployed" if item.live_version is None else f"v{item.live_version}",
                "Undeployed changes": item.undeployed,
                "Draft": item.draft,
                "Last run": last_run_text(*item.last_run, now) if item.last_run else "",
                "Runs": runs_link(item.name) if item.last_run else None,
                "Schedule": f"{item.cron}{' · paused' if item.paused else ''}" if item.cron else "",
            }
            for item in shown
        ],
        columns=[
            "Workflow",
            "Name",
            "Live",
            "Undeployed changes",
            "Draft",
            "Last run",
            "Runs",
            "Schedule",
        ],
    ),
    key=table_key,
    on_select="rerun",
    # A click on any cell opens its row, as does the row's marker on the left.
    selection_mode=["single-row", "single-cell"],
    hide_index=True,
    width="stretch",
    placeholder="",  # no "None" in the Runs column of workflows that never ran
    column_config={
        "Live": st.column_config.TextColumn("Live", help="The version new runs start"),
        "Undeployed changes": st.column_config.CheckboxColumn(
            "Changed", help="The draft differs from the live version (or nothing is live)"
        ),
        "Last run": st.column_config.TextColumn(
            "Last run", help="The newest run's status, and when it started"
        ),
        "Runs": st.column_config.LinkColumn(
            "Runs", display_text="open", help="The Runs page, filtered to this workflow"
        ),
        # Short cells: the table fits a 1280 px screen without scrolling sideways.
        "Schedule": st.column_config.TextColumn("Schedule", help="Cron expression, in UTC"),
    },
)
# The Runs cell is a link of its own: a click on it follows the link and opens nothing here.
rows = [
    *picked.selection.rows,
    *(row for row, column in picked.selection.cells if column != "Runs"),
]
if rows:
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1
    open_in_builder(shown[rows[0]].id)

by_name = {item.name: item for item in listing}
# A widget's value may only be set before it is drawn: actions leave the next choice here.
if PENDING_CHOICE in st.session_state:
    st.session_state[CHOICE] = st.session_state.pop(PENDING_CHOICE)
if st.session_state.get(CHOICE) not in by_name:
    st.session_state[CHOICE] = next(iter(by_name))
with st.expander("Export, rename, duplicate or delete", icon=":material/settings:"):
    chosen = st.selectbox(
        "Workflow",
        list(by_name),
        key=CHOICE,
        format_func=lambda name: (
            name if by_name[name].title == name else f"{by_name[name].title} ({name})"
        ),
    )
    selected = by_name[chosen]
    try:
        exported = services.workflows.export_document(selected.id)
    except GraphFormatError as error:
        st.warning(markdown_literal(f"The draft cannot be exported: {error}"))
    else:
        st.download_button(
            "Export graph",
            exported,
            file_name=f"{selected.name}.json",
            mime="application/json",
            icon=":material/download:",
        )

    rename_tab, duplicate_tab, delete_tab = st.tabs(["Rename", "Duplicate", "Delete"])
    with rename_tab:
        if offer(WorkflowService.rename):
            with st.form("rename", border=False):
                new_name = st.text_input(
                    "New name", value=selected.name, key=f"rename_{selected.id}"
                )
                new_title = st.text_input(
                    "Title",
                    value=selected.title if selected.title != selected.name else "",
                    key=f"retitle_{selected.id}",
                )
                if st.form_submit_button("Rename"):
                    try:
                        services.workflows.rename(
                            selected.id, name=new_name.strip(), title=new_title.strip()
                        )
                    except WorkflowBuilderError as error:
                        _show_error(error)
                    else:
                        st.session_state[PENDING_CHOICE] = new_name.strip()
                        st.rerun()
    with duplicate_tab:
        if offer(WorkflowService.duplicate):
            with st.form("duplicate", border=False):
                copy_name = st.text_input(
                    "Name of the copy", value=f"{selected.name}_copy", key=f"copy_{selected.id}"
                )
                if st.form_submit_button("Duplicate"):
                    try:
                        record = services.workflows.duplicate(selected.id, name=copy_name.strip())
                    except WorkflowBuilderError as error:
                        _show_error(error)
                    else:
                        st.session_state[PENDING_CHOICE] = record.name
                        st.rerun()
    with delete_tab:
        if offer(WorkflowService.delete):
            st.caption(
                "Its versions, deployments and runs are kept; only the workflow is hidden. "
                "A cron schedule it has is removed, so it starts no more runs."
            )
            confirm = st.checkbox(
                markdown_literal(f"Yes, delete {selected.name}"),
                key=f"confirm_delete_{selected.id}",
            )
            if st.button("Delete", disabled=not confirm, icon=":material/delete:"):
                try:
                    services.delete_workflow(selected.id)
                except WorkflowBuilderError as error:
                    _show_error(error)
                else:
                    st.session_state[PENDING_CHOICE] = None
                    st.rerun()
