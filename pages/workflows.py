"""Workflows: the list of workflow definitions and what can be done to each one."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from core.errors import GraphFormatError, WorkflowBuilderError
from core.examples import list_examples
from core.runs.listing import last_run_text, runs_link
from core.services import WorkflowService
from core.text import markdown_literal
from pages.widgets.services import offer, user_services
from pages.widgets.session import open_in_builder

CHOICE = "workflows_choice"
PENDING_CHOICE = "workflows_pending_choice"

services = user_services()

st.title("Workflows")


def _draft_status(workflow_id: int) -> str:
    check = services.workflows.check(services.workflows.get(workflow_id).draft_graph)
    if check.format_error is not None:
        return "unreadable"
    return "valid" if check.valid else f"{len(check.problems)} problem(s)"


def _show_error(error: WorkflowBuilderError) -> None:
    if isinstance(error, GraphFormatError):
        st.error("The file is not a readable workflow graph; nothing was saved.")
        for where, reason in error.problems:
            st.markdown(f"- **{markdown_literal(where)}**: {markdown_literal(reason)}")
    else:
        st.error(markdown_literal(str(error)))


if offer(WorkflowService.create):
    create_tab, example_tab, import_tab = st.tabs(
        ["New workflow", "From an example", "Import a file"]
    )
    with create_tab, st.form("create_blank", clear_on_submit=False, border=False):
        blank_name = st.text_input(
            "Name", placeholder="order_approval", help="Lowercase letters, digits and _"
        )
        title = st.text_input("Title", placeholder="Order approval")
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

summaries = services.workflows.list()
st.subheader(f"{len(summaries)} workflow(s)")
if not summaries:
    st.info("No workflows yet: create one above, start from an example or import a file.")
    st.stop()

crons = services.workflows.crons()
last_runs = services.workflows.last_runs()
now = datetime.now(UTC)
st.dataframe(
    pd.DataFrame(
        [
            {
                "Name": item.name,
                "Title": item.title,
                "Draft": _draft_status(item.id),
                "Latest version": item.latest_version,
                "Deployment": item.deployment_status or "not deployed",
                "Schedule": f"{crons[item.id]} (UTC)" if item.id in crons else "",
                "Last run": last_run_text(last_runs[item.id], now) if item.id in last_runs else "",
                "Runs": runs_link(item.name) if item.id in last_runs else None,
                "Updated": item.updated_at.strftime("%Y-%m-%d %H:%M"),
            }
            for item in summaries
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        # Short headers and widths: with the last run columns the table still fits a laptop.
        "Latest version": st.column_config.NumberColumn("Version", help="Latest version"),
        "Last run": st.column_config.TextColumn(
            "Last run", help="The newest run's status, and when it started", width=145
        ),
        "Updated": st.column_config.TextColumn("Updated", width=135),
        "Runs": st.column_config.LinkColumn(
            "Runs", display_text="open", help="The Runs page, filtered to this workflow", width=50
        ),
    },
)

by_name = {item.name: item for item in summaries}
# A widget's value may only be set before it is drawn: actions leave the next choice here.
if PENDING_CHOICE in st.session_state:
    st.session_state[CHOICE] = st.session_state.pop(PENDING_CHOICE)
if st.session_state.get(CHOICE) not in by_name:
    st.session_state[CHOICE] = next(iter(by_name))
chosen = st.selectbox("Workflow", list(by_name), key=CHOICE)
selected = by_name[chosen]
open_col, export_col = st.columns(2)
if open_col.button("Open in builder", type="primary", icon=":material/edit:"):
    open_in_builder(selected.id)
try:
    exported = services.workflows.export_document(selected.id)
except GraphFormatError as error:
    export_col.warning(markdown_literal(f"The draft cannot be exported: {error}"))
else:
    export_col.download_button(
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
            new_name = st.text_input("New name", value=selected.name, key=f"rename_{selected.id}")
            new_title = st.text_input("Title", value=selected.title, key=f"retitle_{selected.id}")
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
            markdown_literal(f"Yes, delete {selected.name}"), key=f"confirm_delete_{selected.id}"
        )
        if st.button("Delete", disabled=not confirm, icon=":material/delete:"):
            try:
                services.delete_workflow(selected.id)
            except WorkflowBuilderError as error:
                _show_error(error)
            else:
                st.session_state[PENDING_CHOICE] = None
                st.rerun()
