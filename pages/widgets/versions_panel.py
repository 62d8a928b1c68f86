"""Versions of a workflow: their deployments, the diff of two, rollback and export."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from core.db import DeploymentRecord, DeploymentStatus, VersionRecord
from core.deploy import DeployService, FieldChange, GraphDiff, ItemChange
from core.errors import WorkflowBuilderError
from core.services import UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.deploy_panel import start_deploy
from pages.widgets.services import offer

_VALUE_CHARS = 80


def version_rows(
    versions: list[VersionRecord], deployments: list[DeploymentRecord]
) -> pd.DataFrame:
    """One row per version (newest first) with its newest deployment's status and error."""
    newest: dict[int, DeploymentRecord] = {}
    for deployment in deployments:  # newest first: keep the first seen per version
        newest.setdefault(deployment.version_id, deployment)
    rows = []
    for version in versions:
        latest = newest.get(version.id)
        rows.append(
            {
                "Version": version.version,
                "Made by": (
                    f"rollback of v{version.rollback_of}" if version.rollback_of else "deploy"
                ),
                "Status": latest.status.value if latest else "not deployed",
                "Created": version.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "Workflow type": latest.workflow_type if latest else "",
                "Task queue": latest.task_queue if latest else "",
                "Error": (latest.error or "") if latest else "",
            }
        )
    return pd.DataFrame(rows)


def versions_panel(services: UserServices, workflow_id: int, *, name: str) -> None:
    """The versions table, then the diff, rollback and export of chosen versions."""
    versions = services.deploy.versions(workflow_id)
    if not versions:
        st.info("No version yet: **Deploy** the workflow to create version 1.")
        return
    deployments = services.deploy.deployments(workflow_id)
    st.dataframe(version_rows(versions, deployments), hide_index=True, width="stretch")
    numbers = [version.version for version in versions]
    live_ids = {d.version_id for d in deployments if d.status is DeploymentStatus.ACTIVE}
    live = next((version.version for version in versions if version.id in live_ids), None)
    diff_tab, rollback_tab, export_tab = st.tabs(["Compare", "Roll back", "Export"])
    with diff_tab:
        _compare(services, workflow_id, numbers)
    with rollback_tab:
        _rollback(services, workflow_id, numbers, live=live)
    with export_tab:
        chosen = st.selectbox("Version to export", numbers, key=f"export_version_{workflow_id}")
        st.download_button(
            f"Download version {chosen} (.zip)",
            data=lambda: services.deploy.export(workflow_id, chosen),
            file_name=f"{name}_v{chosen}.zip",
            mime="application/zip",
            icon=":material/download:",
            on_click="ignore",
        )
        st.caption("The bundle with a requirements file and a README; it runs its own worker.")


def show_graph_diff(diff: GraphDiff) -> None:
    """The graph changes as Markdown lists: settings, nodes and edges added, removed, changed."""
    if diff.empty:
        st.info("The graphs behave the same (node positions aside).")
        return
    if diff.workflow:
        st.markdown("**Workflow settings**\n" + _field_lines(diff.workflow, indent=""))
    for kind, added, removed, changed in (
        ("Nodes", diff.nodes_added, diff.nodes_removed, diff.nodes_changed),
        ("Edges", diff.edges_added, diff.edges_removed, diff.edges_changed),
    ):
        lines = [f"- :green[added] {markdown_code(item)}" for item in added]
        lines += [f"- :red[removed] {markdown_code(item)}" for item in removed]
        lines += [_item_lines(item) for item in changed]
        if lines:
            st.markdown(f"**{kind}**\n" + "\n".join(lines))


def _compare(services: UserServices, workflow_id: int, numbers: list[int]) -> None:
    if len(numbers) < 2:
        st.info("There is one version: deploy a change to compare two.")
        return
    left, right = st.columns(2)
    # Newest first, so the defaults compare the previous version with the newest.
    a = left.selectbox("From version", numbers, index=1, key=f"diff_a_{workflow_id}")
    b = right.selectbox("To version", numbers, index=0, key=f"diff_b_{workflow_id}")
    if a == b:
        st.info("Pick two different versions.")
        return
    try:
        diff = services.deploy.diff(workflow_id, a, b)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"Cannot compare versions {a} and {b}: {error}"))
        return
    show_graph_diff(diff.graph)
    changed = {name: text for name, text in diff.code.items() if text}
    if not changed:
        st.caption("The generated code is the same.")
    for file_name, text in changed.items():
        st.markdown(f"**{file_name}**")
        st.code(text, language="diff")


def rollback_target(numbers: list[int], live: int | None) -> int:
    """The version the rollback control offers first: the newest one older than the live one
    (the one to go back to), else the oldest."""
    older = [number for number in numbers if live is None or number < live]
    return older[0] if older else numbers[-1]


def _rollback(
    services: UserServices, workflow_id: int, numbers: list[int], *, live: int | None
) -> None:
    if not offer(DeployService.rollback):
        return
    choice_key = f"rollback_{workflow_id}"
    pending_key = f"rollback_pending_{workflow_id}"
    reset_key = f"rollback_reset_{workflow_id}"
    # The select stays drawn (disabled while confirming), so Streamlit never drops its state
    # and the browser's copy of it never drifts from the server's; after a rollback it is set
    # anew, before it is drawn (the only time a widget's value may be set).
    if st.session_state.pop(reset_key, False) or st.session_state.get(choice_key) not in numbers:
        st.session_state[choice_key] = rollback_target(numbers, live)
    pending = st.session_state.get(pending_key)
    chosen = st.selectbox(
        "Version to roll back to",
        numbers,
        key=choice_key,
        format_func=lambda number: f"{number} (live)" if number == live else str(number),
        disabled=pending is not None,
    )
    if pending is None:
        if st.button(
            f"Roll back to version {chosen}",
            key=f"rollback_start_{workflow_id}",
            icon=":material/history:",
            disabled=chosen == live,
            help="This version is live already" if chosen == live else None,
        ):
            st.session_state[pending_key] = chosen
            st.rerun()
        st.caption("Its graph is deployed again as a new version; the draft is left as it is.")
        return
    st.warning(
        f"Roll back to version {pending}? New runs will use its graph (deployed as a new "
        "version); open runs finish on the code they started with.",
        icon=":material/warning:",
    )
    confirm_col, cancel_col = st.columns(2)
    if cancel_col.button("Cancel", key=f"rollback_cancel_{workflow_id}"):
        del st.session_state[pending_key]
        st.rerun()
    if confirm_col.button(
        f"Confirm rollback to version {pending}", type="primary", key=f"rollback_ok_{workflow_id}"
    ):
        del st.session_state[pending_key]
        start_deploy(
            workflow_id,
            label=f"Rollback to version {pending}",
            action=lambda progress: services.deploy.rollback(
                workflow_id, pending, progress=progress
            ),
        )
        # The page watches the rollback below its header, so this panel is drawn again only
        # once the rollback has ended, with the new live version.
        st.session_state[reset_key] = True
        st.rerun()


def _item_lines(item: ItemChange) -> str:
    return f"- :orange[changed] {markdown_code(item.id)}\n" + _field_lines(
        item.changes, indent="    "
    )


def _field_lines(changes: tuple[FieldChange, ...], *, indent: str) -> str:
    return "\n".join(
        f"{indent}- {markdown_code(change.path)}: "
        f"{markdown_code(_short(change.old))} → {markdown_code(_short(change.new))}"
        for change in changes
    )


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 3] + "..."
