"""Values typed into the inspector's fields: hostile JSON is refused or kept as text, never a
crash (the builder once raised RecursionError on a deeply nested value)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pages.widgets.fields import _parse_literal

DEEP = "[" * 10_000 + "]" * 10_000


def test_a_deep_value_is_refused_for_a_number_and_kept_as_text_for_json() -> None:
    with pytest.raises(ValueError, match="is not a number"):
        _parse_literal(DEEP, "number")
    assert _parse_literal(DEEP, "json") == DEEP
    assert _parse_literal("[1, 2]", "json") == [1, 2]
    assert _parse_literal("9" * 5000, "json") == "9" * 5000  # over the integer size: text


def _json_field_script() -> None:
    import streamlit as st

    from pages.widgets.fields import json_widget

    st.session_state.value = json_widget("Payload", {"a": 1}, key="payload", help_text=None)


def test_the_json_field_says_which_limit_a_typed_value_breaks() -> None:
    at = AppTest.from_function(_json_field_script, default_timeout=30).run()
    at.text_area(key="payload").set_value(DEEP).run()
    assert not at.exception
    (error,) = at.error
    assert "nested more than 64" in error.value and error.value.startswith("Payload")
    assert at.session_state.value == {"a": 1}  # the value before the bad edit is kept


def _activity_form_script() -> None:
    import streamlit as st

    from core.nodes.kinds.activity import ActivityParams
    from pages.widgets.fields import object_form

    schema = ActivityParams.model_json_schema()
    values = {"activity": "echo", "args": {"value": 1}}
    local = {"properties": {"local": schema["properties"]["local"]}}
    st.session_state.params = object_form(values, local, defs={}, key="activity")


def test_an_unset_yes_or_no_field_stays_unset_until_chosen() -> None:
    # An activity's `local` left unset lets the compiler choose; drawing the form must not
    # write a `false` into the graph (a checkbox did: it cannot show "unset").
    at = AppTest.from_function(_activity_form_script, default_timeout=30).run()
    assert not at.exception
    assert "local" not in at.session_state.params
    at.selectbox(key="activity.local").set_value(True).run()
    assert at.session_state.params["local"] is True
