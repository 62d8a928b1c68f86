"""The builder's forms and code tab: input fields, signals and queries edited one at a time
(never a grid row named "None"), plain problems, labelled switches, whole numbers; every
bundle file shown with its own download."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.text import markdown_unliteral
from tests.unit.console import app_services, in_builder, saved_draft, settings_open


@pytest.fixture
def app(console: AppTest) -> AppTest:
    return in_builder(console, example="approval_signal", name="approval")


def _select(at: AppTest, node_id: str) -> str:
    """Click a node on the canvas (as the frontend reports it); return the inspector's key."""
    (component,) = at.get("component_instance")
    shown = json.loads(component.proto.json_args)
    at.session_state["builder_canvas"] = {
        "nodes": shown["nodes"],
        "edges": shown["edges"],
        "selectedId": node_id,
        "timestamp": int(time.time() * 1000) + 60_000,
    }
    at.run()
    assert not at.exception
    return f"inspector_{at.session_state['builder_editor'].generation}"


def _fields(at: AppTest) -> list[dict[str, Any]]:
    start = next(node for node in saved_draft(at)["nodes"] if node["id"] == "start")
    return start["params"]["input_fields"]


def _texts(elements) -> str:
    return "\n".join(markdown_unliteral(element.value) for element in elements)


def test_input_fields_are_added_edited_and_removed_through_forms(app: AppTest):
    key = _select(app, "start") + ".input_fields"
    before = _fields(app)
    # Listed one per line; a whole-number default shows as one.
    line = "`timeout_seconds` · number · default `3600`  \nHow long to wait"
    assert line in [md.value for md in app.markdown]

    app.button(key=f"{key}.add").click().run()
    assert _fields(app) == before  # opening the form adds nothing (no row named "None")
    app.text_input(key=f"{key}.new.form.name").input("1 bad")
    app.button(key=f"{key}.new.save").click().run()
    assert "'1 bad' is not allowed: a name starts with a letter or _" in _texts(app.error)
    assert _fields(app) == before

    app.text_input(key=f"{key}.new.form.name").input("amount")
    app.selectbox(key=f"{key}.new.form.type").set_value("integer")
    app.text_input(key=f"{key}.new.form.default").input("2.5")
    app.button(key=f"{key}.new.save").click().run()
    assert "The default of an integer field must be an integer (like 3)" in _texts(app.error)
    app.text_input(key=f"{key}.new.form.default").input("5")
    app.checkbox(key=f"{key}.new.form.required").check()
    app.button(key=f"{key}.new.save").click().run()
    assert not app.exception
    assert _fields(app) == [
        *before,
        {"name": "amount", "type": "integer", "required": True, "default": 5, "description": ""},
    ]

    key = f"inspector_{app.session_state['builder_editor'].generation}.input_fields"
    index = len(before)
    app.button(key=f"{key}.{index}.edit").click().run()
    assert app.text_input(key=f"{key}.{index}.form.name").value == "amount"
    app.text_input(key=f"{key}.{index}.form.name").input("request")  # taken by another
    app.button(key=f"{key}.{index}.save").click().run()
    assert "There is a field named 'request' already" in _texts(app.error)
    app.text_input(key=f"{key}.{index}.form.name").input("amount")
    app.text_input(key=f"{key}.{index}.form.description").input("How much")
    app.button(key=f"{key}.{index}.save").click().run()
    assert _fields(app)[index]["description"] == "How much"

    key = f"inspector_{app.session_state['builder_editor'].generation}.input_fields"
    app.button(key=f"{key}.{index}.remove").click().run()
    assert _fields(app) == before


def test_cancel_closes_the_form_without_saving(app: AppTest):
    key = _select(app, "start") + ".input_fields"
    before = _fields(app)
    app.button(key=f"{key}.add").click().run()
    app.text_input(key=f"{key}.new.form.name").input("later")
    app.button(key=f"{key}.new.cancel").click().run()
    assert _fields(app) == before
    assert not [button for button in app.button if button.key == f"{key}.new.save"]


def test_signals_their_payload_and_queries_through_forms(app: AppTest):
    settings_open(app)
    key = f"inspector_{app.session_state['builder_editor'].generation}_settings"
    app.button(key=f"{key}.signals.add").click().run()
    app.text_input(key=f"{key}.signals.new.form.name").input("approve")
    app.button(key=f"{key}.signals.new.save").click().run()
    assert "There is a signal named 'approve' already" in _texts(app.error)
    app.text_input(key=f"{key}.signals.new.form.name").input("escalate")
    app.text_input(key=f"{key}.signals.new.form.description").input("Ask a manager")
    app.button(key=f"{key}.signals.new.save").click().run()
    assert not app.exception
    signals = saved_draft(app)["workflow"]["signals"]
    assert signals[1] == {"name": "escalate", "description": "Ask a manager", "fields": []}

    # The new signal's payload fields have their own list and form.
    key = f"inspector_{app.session_state['builder_editor'].generation}_settings"
    fields = f"{key}.signals.1.fields"
    app.button(key=f"{fields}.add").click().run()
    app.text_input(key=f"{fields}.new.form.name").input("reason")
    app.button(key=f"{fields}.new.save").click().run()
    assert saved_draft(app)["workflow"]["signals"][1]["fields"] == [
        {"name": "reason", "type": "string", "required": False, "default": None, "description": ""}
    ]

    key = f"inspector_{app.session_state['builder_editor'].generation}_settings"
    app.button(key=f"{key}.queries.add").click().run()
    app.text_input(key=f"{key}.queries.new.form.name").input("who")
    app.text_input(key=f"{key}.queries.new.form.expression").input("__import__('os')")
    app.button(key=f"{key}.queries.new.save").click().run()
    assert "Expression:" in _texts(app.error)
    app.text_input(key=f"{key}.queries.new.form.expression").input("status")
    app.button(key=f"{key}.queries.new.save").click().run()
    queries = saved_draft(app)["workflow"]["queries"]
    assert queries[-1] == {"name": "who", "expression": "status", "description": ""}


def test_switches_are_labelled_and_whole_numbers_show_as_such(app: AppTest):
    key = _select(app, "wait")
    toggle = app.toggle(key=f"{key}.timeout.is_expr")
    assert toggle.label == "Timeout as an expression"
    assert "expression over input and variables" in toggle.help

    other = app_services().workflows.create_from_example("retry_error_branch", name="retrying")
    app.query_params["workflow"] = str(other.id)
    app.run()
    key = _select(app, "call")
    attempts = app.number_input(key=f"{key}.retry.max_attempts")
    assert attempts.value == 3 and attempts.proto.format == "%d"
    backoff = app.number_input(key=f"{key}.retry.backoff_coefficient")
    assert backoff.proto.format == "%g"  # 2, not 2.00
    labels = [widget.label for widget in (*app.text_input, *app.toggle, *app.number_input)]
    assert all(label.strip() for label in labels)
    assert {"Max attempts", "Start to close timeout", "Result variable"} <= set(labels)


def test_the_code_tab_shows_every_bundle_file_with_its_download(app: AppTest):
    import io
    import zipfile

    from core.compiler import BUNDLE_FILES
    from pages.widgets.code import bundle_zip

    app.segmented_control(key="builder_view").set_value("Code").run()
    assert not app.exception
    shown = ["workflow.py", "manifest.json", "activities.py", "worker.py"]
    assert [tab.label for tab in app.tabs] == shown and set(shown) == set(BUNDLE_FILES)
    bundle = app.session_state["builder_editor"].compiled[1]
    assert [code.value for code in app.code] == [bundle.files[name].rstrip() for name in shown]
    assert [code.language for code in app.code] == ["python", "json", "python", "python"]
    assert [button.proto.label for button in app.get("download_button")] == [
        "Download all files (.zip)",
        *(f"Download {name}" for name in shown),
    ]
    with zipfile.ZipFile(io.BytesIO(bundle_zip(bundle, folder="approval"))) as archive:
        assert sorted(archive.namelist()) == sorted(f"approval/{name}" for name in shown)


def _run_form_script() -> None:
    import streamlit as st

    from core.graph import InputField
    from core.run_forms import form_fields
    from pages.widgets.run_controls import form_widgets

    with st.form("run"):
        fields = (InputField("timeout_seconds", "number", default=3600), InputField("n", "integer"))
        form_widgets(form_fields(fields), key="run")
        st.form_submit_button("Start")


def test_the_run_forms_numbers_show_without_decimals() -> None:
    at = AppTest.from_function(_run_form_script, default_timeout=30).run()
    assert not at.exception
    seconds = at.number_input(key="run.timeout_seconds")
    assert seconds.value == 3600 and seconds.proto.format == "%g"
