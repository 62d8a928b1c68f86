"""The code view: the generated workflow.py and manifest.json, and the bundle as a zip."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import streamlit as st

from core.activities import ActivityRegistry
from core.compiler import Bundle, compile_graph
from core.errors import WorkflowBuilderError
from core.graph import graph_from_dict
from core.services import DraftCheck
from pages.widgets.session import Editor


def bundle_zip(bundle: Bundle, *, folder: str) -> bytes:
    """The bundle's files in a zip, under ``folder/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(bundle.files.items()):
            archive.writestr(f"{folder}/{name}", text)
    return buffer.getvalue()


def code_view(editor: Editor, *, registry: ActivityRegistry) -> None:
    """Show the generated code of a valid draft, or why there is none."""
    check: DraftCheck = editor.check
    if not check.valid:
        st.warning(
            "The code appears once the workflow is valid; see the problems under the canvas."
        )
        return
    outcome = _compiled(editor, registry)
    if isinstance(outcome, WorkflowBuilderError):
        st.error(f"The workflow cannot be compiled: {outcome}")
        return
    st.download_button(
        "Download bundle (.zip)",
        bundle_zip(outcome, folder=editor.name),
        file_name=f"{editor.name}.zip",
        mime="application/zip",
        icon=":material/download:",
    )
    workflow_tab, manifest_tab = st.tabs(["workflow.py", "manifest.json"])
    with workflow_tab:
        st.code(outcome.files["workflow.py"], language="python", line_numbers=True)
    with manifest_tab:
        st.code(outcome.files["manifest.json"], language="json")


def _compiled(editor: Editor, registry: ActivityRegistry) -> Any:
    # Compiling takes tens of milliseconds; reruns that do not change the graph reuse it.
    if editor.compiled is None or editor.compiled[0] != editor.history.present:
        try:
            outcome: Any = compile_graph(graph_from_dict(editor.document), registry=registry)
        except WorkflowBuilderError as error:
            outcome = error
        editor.compiled = (editor.history.present, outcome)
    return editor.compiled[1]
