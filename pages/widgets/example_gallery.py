"""The example gallery: a card per example, whose button opens a copy of it in the builder."""

from __future__ import annotations

import streamlit as st

from core.examples import Example, list_examples
from core.services import UserServices, WorkflowService
from core.text import markdown_literal
from pages.widgets.services import allowed, needs
from pages.widgets.session import open_in_builder

COLUMNS = 3


def example_gallery(services: UserServices) -> None:
    """Every example as a card: title, what it shows, its size; "Try it" opens a copy."""
    examples = list_examples()
    for first in range(0, len(examples), COLUMNS):
        row = examples[first : first + COLUMNS]
        for column, example in zip(st.columns(COLUMNS), row, strict=False):
            with column.container(border=True):
                _card(services, example)


def _card(services: UserServices, example: Example) -> None:
    check = services.workflows.check(example.document)
    nodes = len(example.document.get("nodes", []))
    state = "valid" if check.valid else f"{len(check.problems) or 'unreadable'} problem(s)"
    st.markdown(f"**{markdown_literal(example.name)}**")
    st.caption(markdown_literal(example.description))
    left, right = st.columns([3, 2], vertical_alignment="center")
    left.caption(f"{nodes} nodes · {state}")
    if right.button(
        "Try it",
        key=f"try_example_{example.name}",
        icon=":material/open_in_new:",
        disabled=not allowed(WorkflowService.create_from_example),
        help=needs(WorkflowService.create_from_example)
        or f"Create a workflow from {example.name} and open it in the builder",
        width="stretch",
    ):
        record = services.workflows.copy_example(example.name)
        open_in_builder(record.id)
