"""A list of small records (input fields, signals, queries), each edited through its own form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.text import markdown_literal

Record = dict[str, Any]
#: Reserved editing marker for the "add" form (records are edited by their position).
_NEW = -1


@dataclass(frozen=True)
class RecordForm:
    """How one kind of record is shown and edited.

    Attributes:
        noun: what a record is called in labels ("field", "signal", "query").
        summary: one line of Markdown showing a record in the list.
        inputs: draws the form's widgets for a record (an empty one when adding) under a key
            prefix, and returns the record they show.
        problem: why a candidate cannot be saved beside the other records, or None.
        below: draws more about a record under its line (outside any form) and returns the
            record, possibly changed (a signal's payload fields); None for nothing more.
    """

    noun: str
    summary: Callable[[Record], str]
    inputs: Callable[[Record, str], Record]
    problem: Callable[[Record, list[Record]], str | None]
    below: Callable[[Record, str], Record] | None = None


def record_list(label: str, current: list[Record], spec: RecordForm, *, key: str) -> list[Record]:
    """Show ``current`` with Edit and Remove on each record and an Add button; return the list
    after what the user saved (``current`` itself when nothing changed).

    One record at a time is open in a form, so typing never reruns the page and a half-typed
    record is never saved (a grid saved its first click as a row named "None").
    """
    editing_key = f"{key}.editing"
    editing = st.session_state.get(editing_key)
    st.markdown(f"**{markdown_literal(label)}**")
    if not current and editing != _NEW:
        st.caption(f"No {spec.noun} yet.")
    result = list(current)
    for index, record in enumerate(current):
        item_key = f"{key}.{index}"
        with st.container(border=True):
            if editing == index:
                others = result[:index] + result[index + 1 :]
                saved = _form(spec, record, others, key=item_key, editing_key=editing_key)
                if saved is not None:
                    result[index] = saved
                    st.session_state.pop(editing_key, None)
                continue
            st.markdown(spec.summary(record))
            name = record.get("name") or spec.noun
            # Sized to their labels and wrapping when the inspector is narrow: equal columns
            # cut "Remove" short at 1280 px.
            buttons = st.container(horizontal=True, gap="small")
            if buttons.button(
                "Edit",
                key=f"{item_key}.edit",
                icon=":material/edit:",
                help=markdown_literal(f"Edit {spec.noun} {name}"),
            ):
                st.session_state[editing_key] = index
                st.rerun()
            if buttons.button(
                "Remove",
                key=f"{item_key}.remove",
                icon=":material/delete:",
                help=markdown_literal(f"Remove {spec.noun} {name}"),
            ):
                st.session_state.pop(editing_key, None)
                return [item for position, item in enumerate(current) if position != index]
            if spec.below is not None:
                result[index] = spec.below(record, item_key)
    if editing == _NEW:
        with st.container(border=True):
            added = _form(spec, {}, result, key=f"{key}.new", editing_key=editing_key)
        if added is not None:
            st.session_state.pop(editing_key, None)
            result.append(added)
    elif st.button(f"Add {spec.noun}", key=f"{key}.add", icon=":material/add:"):
        st.session_state[editing_key] = _NEW
        st.rerun()
    return result if result != current else current


def _form(
    spec: RecordForm, record: Record, others: list[Record], *, key: str, editing_key: str
) -> Record | None:
    """The form of one record; the saved record once "Save" passes its check, else None."""
    adding = not record
    with st.form(f"{key}.form", border=False):
        if adding:
            st.markdown(f"**New {spec.noun}**")
        candidate = spec.inputs(record, f"{key}.form")
        buttons = st.container(horizontal=True, gap="small")
        with buttons:
            saved = st.form_submit_button(
                f"Add {spec.noun}" if adding else "Save", key=f"{key}.save", type="primary"
            )
            cancelled = st.form_submit_button("Cancel", key=f"{key}.cancel")
    if cancelled:
        st.session_state.pop(editing_key, None)
        st.rerun()
    if not saved:
        return None
    problem = spec.problem(candidate, others)
    if problem:
        st.error(markdown_literal(problem), icon=":material/error:")
        return None
    return candidate
