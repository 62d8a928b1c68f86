"""Talking to an open run: generated input forms, its declared signals, updates and queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import streamlit as st

from core.errors import WorkflowBuilderError
from core.executions import RunRef, RunService, UpdateRefusedError
from core.graph import QueryDecl, SignalDecl, UpdateDecl
from core.run_forms import FormField, FormInputError, WidgetKind, form_fields
from core.run_forms import form_values as read_form
from core.services import UserServices
from core.text import markdown_literal
from pages.widgets.services import offer


def form_widgets(form: tuple[FormField, ...], *, key: str) -> dict[str, Any]:
    """Draw one widget per field (inside a ``st.form``); return what each shows."""
    values: dict[str, Any] = {}
    for item in form:
        widget_key = f"{key}.{item.name}"
        # Tooltips render Markdown, and descriptions are user text. Labels are field names,
        # which validation holds to identifiers (no markup can form), and they stay as they
        # are: Streamlit also uses the label as the input's accessible name, escapes and all.
        label, help_text = item.label, markdown_literal(item.help)
        if item.kind is WidgetKind.TEXT:
            value: Any = st.text_input(label, item.initial, help=help_text, key=widget_key)
        elif item.kind is WidgetKind.NUMBER:
            value = st.number_input(
                # %g: a default of 3600 reads 3600, not Streamlit's float default 3600.00.
                label,
                value=item.initial,
                step=1.0,
                format="%g",
                help=help_text,
                key=widget_key,
            )
        elif item.kind is WidgetKind.INTEGER:
            value = st.number_input(
                label, value=item.initial, step=1, help=help_text, key=widget_key
            )
        elif item.kind is WidgetKind.CHECKBOX:
            value = st.checkbox(label, item.initial, help=help_text, key=widget_key)
        else:
            value = st.text_area(
                label,
                item.initial,
                help=markdown_literal(f"{item.help}, as JSON"),
                placeholder="{}" if item.json_type == "object" else "[]",
                height=100,
                key=widget_key,
            )
        values[item.name] = value
    return values


def signals_and_queries(
    services: UserServices,
    ref: RunRef,
    signals: Sequence[SignalDecl],
    queries: Sequence[QueryDecl],
    updates: Sequence[UpdateDecl] = (),
) -> None:
    """A form per declared signal and update and a button per declared query of the open run
    ``ref``."""
    for signal in signals if signals and offer(RunService.signal) else ():
        payload = _sent_payload("signal", signal, ref, icon=":material/send:")
        if payload is _NOT_SENT:
            continue
        try:
            services.runs.signal(ref, signal.name, payload)
        except WorkflowBuilderError as error:
            st.error(markdown_literal(f"Signal {signal.name} was not sent: {error}"))
        else:
            st.success(markdown_literal(f"Sent {signal.name}."), icon=":material/send:")
    _update_forms(services, ref, updates)
    answers: dict[str, Any] = st.session_state.setdefault(f"answers_{ref.run_id}", {})
    for query in queries:
        if st.button(
            markdown_literal(f"Ask {query.name}"),
            help=markdown_literal(query.description) or None,
            icon=":material/help:",
            key=f"ask_{query.name}_{ref.run_id}",
        ):
            try:
                answers[query.name] = services.runs.query(ref, query.name)
            except WorkflowBuilderError as error:
                st.error(markdown_literal(f"Query {query.name} failed: {error}"))
        if query.name in answers:
            st.markdown(markdown_literal(f"{query.name} ="))
            st.code(json.dumps(answers[query.name], ensure_ascii=False), language="json")


#: What `_sent_payload` returns while its form is not sent (None is a payload: no fields).
_NOT_SENT = object()


def _sent_payload(
    what: Literal["signal", "update"],
    declared: SignalDecl | UpdateDecl,
    ref: RunRef,
    *,
    icon: str,
) -> Any:
    """The form of a declared signal or update; once sent, the payload read from it.

    `_NOT_SENT` until its Send button is clicked, and when a field does not fit (the field's
    error is shown).
    """
    form = form_fields(declared.fields)
    title = what.capitalize()
    with st.form(f"{what}_{declared.name}_{ref.run_id}"):
        name = markdown_literal(declared.name)
        st.markdown(f"**{title} {name}**  \n{markdown_literal(declared.description)}")
        shown = form_widgets(form, key=f"{what}_{declared.name}")
        if not st.form_submit_button(f"Send {name}", icon=icon):
            return _NOT_SENT
    try:
        return read_form(form, shown) if form else None
    except FormInputError as error:
        where = f"{title} {declared.name}, field {error.field}: {error.reason}"
        st.error(markdown_literal(where))
        return _NOT_SENT


def _update_forms(services: UserServices, ref: RunRef, updates: Sequence[UpdateDecl]) -> None:
    """A form per declared workflow update: sent, it shows the update's result or why the run
    refused it."""
    for update in updates if updates and offer(RunService.update) else ():
        payload = _sent_payload("update", update, ref, icon=":material/edit_note:")
        if payload is _NOT_SENT:
            continue
        try:
            result = services.runs.update(ref, update.name, payload)
        except UpdateRefusedError as error:
            st.warning(markdown_literal(str(error)), icon=":material/block:")
        except WorkflowBuilderError as error:
            st.error(markdown_literal(f"Update {update.name} was not sent: {error}"))
        else:
            st.success(markdown_literal(f"{update.name} returned:"), icon=":material/check:")
            st.code(json.dumps(result, ensure_ascii=False), language="json")
