"""The code view: every generated file of the bundle, each to copy or download, and all as a zip."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import streamlit as st

from core.activities import ActivityRegistry
from core.compiler import Bundle, ChildTarget, compile_graph
from core.errors import WorkflowBuilderError
from core.graph import graph_from_dict
from core.services import DraftCheck, UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.session import Editor

#: Highlighting and download type by file extension.
_LANGUAGES = {"py": ("python", "text/x-python"), "json": ("json", "application/json")}


def bundle_zip(bundle: Bundle, *, folder: str) -> bytes:
    """The bundle's files in a zip, under ``folder/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(bundle.files.items()):
            archive.writestr(f"{folder}/{name}", text)
    return buffer.getvalue()


def code_view(editor: Editor, *, services: UserServices) -> None:
    """Show the generated code of a valid draft, or why there is none.

    Child workflows are started as a deploy now would: by the type and on the queue of their
    active deployment.
    """
    check: DraftCheck = editor.check
    if not check.valid:
        st.warning(
            "The code appears once the workflow is valid; see the problems under the canvas."
        )
        return
    children = services.workflows.preview_children(editor.document)
    if children.undeployed:
        names = ", ".join(markdown_code(name) for name in children.undeployed)
        st.info(
            f"Not deployed yet: {names}. The code starts them by name; a deploy needs each "
            "child deployed first, then starts its active version.",
            icon=":material/info:",
        )
    outcome = _compiled(editor, services.registry, children.targets)
    if isinstance(outcome, WorkflowBuilderError):
        st.error(markdown_literal(f"The workflow cannot be compiled: {outcome}"))
        return
    st.download_button(
        "Download all files (.zip)",
        bundle_zip(outcome, folder=editor.name),
        file_name=f"{editor.name}.zip",
        mime="application/zip",
        icon=":material/download:",
        key="code_download_zip",
    )
    files = shown_order(outcome)
    for name, tab in zip(files, st.tabs(files), strict=True):
        with tab:
            language, mime = _LANGUAGES[name.rsplit(".", 1)[-1]]
            st.download_button(
                f"Download {name}",
                outcome.files[name],
                file_name=name,
                mime=mime,
                icon=":material/download:",
                key=f"code_download_{name}",
            )
            # st.code has its own copy button (top right of the block).
            st.code(outcome.files[name], language=language, line_numbers=language == "python")


def shown_order(bundle: Bundle) -> list[str]:
    """The bundle's files as the tabs show them: the workflow, what the bundle declares
    (manifest.json), then the rest in bundle order."""
    first = ["workflow.py", "manifest.json"]
    return [name for name in first if name in bundle.files] + [
        name for name in bundle.files if name not in first
    ]


def _compiled(editor: Editor, registry: ActivityRegistry, children: dict[str, ChildTarget]) -> Any:
    # Compiling takes tens of milliseconds; reruns that change neither the graph nor the
    # children's deployments reuse it.
    key = (editor.history.present, tuple(sorted(children.items())))
    if editor.compiled is None or editor.compiled[0] != key:
        try:
            graph = graph_from_dict(editor.document)
            outcome: Any = compile_graph(graph, registry=registry, children=children)
        except WorkflowBuilderError as error:
            outcome = error
        editor.compiled = (key, outcome)
    return editor.compiled[1]
