"""The builder's per-browser-session state: the document, its history, checks and selection."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

from core.editing import History
from core.errors import WorkflowBuilderError
from core.services import DraftCheck, UserServices, WorkflowService
from pages.widgets.flow import FlowState
from pages.widgets.services import needs

#: Session keys: which workflow the builder shows, and its editor.
WORKFLOW_KEY = "builder_workflow_id"
EDITOR_KEY = "builder_editor"
#: Session key of the builder's side panel tab: "Inspector" or "Workflow settings".
SIDE_TAB_KEY = "builder_side_tab"
BUILDER_PAGE = "pages/builder.py"


@dataclass
class Editor:
    """Everything the builder keeps between reruns for one open workflow.

    The document in ``history.present`` is the source of truth; the canvas state is rebuilt
    from it whenever Python changes it (never edited in place).
    """

    workflow_id: int
    name: str
    history: History
    check: DraftCheck
    saved_at: datetime | None = None
    save_error: str | None = None
    selected: str | None = None
    #: Bumped when widgets must show the document afresh (undo, redo, another selection).
    generation: int = 0
    #: The newest canvas timestamp handled or sent, so old component values are not re-applied.
    last_event: int = 0
    flow: FlowState | None = None
    #: (document text, bundle or error) of the last compilation, for the code view.
    compiled: tuple[Any, Any] | None = None  # (graph and children it was built from, outcome)

    @property
    def document(self) -> dict[str, Any]:
        """A fresh copy of the current document."""
        return self.history.document

    def next_timestamp(self) -> int:
        """A canvas timestamp newer than anything seen (the frontend ignores older states)."""
        self.last_event = max(int(time.time() * 1000), self.last_event + 1)
        return self.last_event


def open_in_builder(workflow_id: int) -> None:
    """Switch to the builder page showing ``workflow_id`` (also put in the URL, ``?workflow=``)."""
    st.session_state[WORKFLOW_KEY] = workflow_id
    st.switch_page(BUILDER_PAGE, query_params={"workflow": str(workflow_id)})


def load_editor(services: UserServices, workflow_id: int) -> Editor:
    """The session's editor for ``workflow_id``, loading the draft when another one was open."""
    editor: Editor | None = st.session_state.get(EDITOR_KEY)
    if editor is not None and editor.workflow_id == workflow_id:
        return editor
    record = services.workflows.get(workflow_id)
    document = record.draft_graph or {}
    editor = Editor(
        workflow_id=workflow_id,
        name=record.name,
        history=History.start(document),
        check=services.workflows.check(document),
    )
    st.session_state[EDITOR_KEY] = editor
    return editor


def commit(
    services: UserServices,
    editor: Editor,
    document: dict[str, Any],
    *,
    redraw: bool = True,
    refresh_widgets: bool = False,
) -> None:
    """Record an edit: push it on the history, save the draft, validate, redraw the canvas.

    ``redraw=False`` is for edits the canvas already shows (nodes it moved).
    ``refresh_widgets=True`` is for edits made outside the inspector to what it shows (a
    label typed on the canvas): its widgets would otherwise keep, and save back, the old value.
    """
    history = editor.history.push(document)
    if history is editor.history:
        return
    editor.history = history
    _store(services, editor, refresh_widgets=refresh_widgets, redraw=redraw)


def step_history(services: UserServices, editor: Editor, *, back: bool) -> None:
    """Undo (``back``) or redo one step, saving the draft it lands on."""
    history = editor.history.undo() if back else editor.history.redo()
    if history is editor.history:
        return
    editor.history = history
    _store(services, editor, refresh_widgets=True, redraw=True)


def select(editor: Editor, item_id: str | None) -> None:
    """Show ``item_id`` (a node or edge id) in the inspector."""
    if item_id != editor.selected:
        editor.selected = item_id
        editor.generation += 1


def _store(services: UserServices, editor: Editor, *, refresh_widgets: bool, redraw: bool) -> None:
    document = editor.document
    reason = needs(WorkflowService.save_draft)
    try:
        if reason is not None:  # not asked at all: each refusal would fill the audit log
            raise WorkflowBuilderError(reason)
        editor.check = services.workflows.save_draft(editor.workflow_id, document)
    except WorkflowBuilderError as error:
        editor.save_error = f"Not saved: {error}"
        editor.check = services.workflows.check(document)
    else:
        editor.saved_at = datetime.now()
        editor.save_error = None
    if redraw:
        editor.flow = None  # rebuilt from the document with a new timestamp
    if refresh_widgets:
        editor.generation += 1
