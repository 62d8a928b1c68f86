"""The builder: a signal's updates of variables in the workflow settings, edited one form at a
time, and a wait-until node's inspector."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.text import markdown_unliteral
from tests.unit.console import in_builder, saved_draft, settings_open
from tests.unit.test_page_forms import _select


def test_a_signal_updates_variables_through_its_forms(console: AppTest):
    app = settings_open(in_builder(console, example="approval_signal", name="approval"))
    key = f"inspector_{app.session_state['builder_editor'].generation}_settings"
    updates = f"{key}.signals.0.updates"
    app.button(key=f"{updates}.add").click().run()
    app.text_input(key=f"{updates}.new.form.variable").input("approvers")
    app.selectbox(key=f"{updates}.new.form.action").select("append")
    app.selectbox(key=f"{updates}.new.form.source").select("a fixed value")
    app.text_input(key=f"{updates}.new.form.value").input("ann")
    app.button(key=f"{updates}.new.save").click().run()
    errors = [markdown_unliteral(error.value) for error in app.error]
    assert "A fixed value is only for set; append takes the payload or a field." in errors
    app.selectbox(key=f"{updates}.new.form.source").select("field by")
    app.button(key=f"{updates}.new.save").click().run()
    assert not app.exception
    signal = saved_draft(app)["workflow"]["signals"][0]
    assert signal["updates"] == [{"variable": "approvers", "action": "append", "field": "by"}]

    key = f"inspector_{app.session_state['builder_editor'].generation}_settings"
    updates = f"{key}.signals.0.updates"
    app.button(key=f"{updates}.add").click().run()
    app.text_input(key=f"{updates}.new.form.variable").input("seen")
    app.selectbox(key=f"{updates}.new.form.source").select("a fixed value")
    app.text_input(key=f"{updates}.new.form.value").input("true")
    app.button(key=f"{updates}.new.save").click().run()
    assert saved_draft(app)["workflow"]["signals"][0]["updates"][1] == {
        "variable": "seen",
        "action": "set",
        "value": True,
    }
    # Removing them all leaves the signal as it was, without an "updates" key.
    for _ in range(2):
        key = f"inspector_{app.session_state['builder_editor'].generation}_settings"
        app.button(key=f"{key}.signals.0.updates.0.remove").click().run()
    assert "updates" not in saved_draft(app)["workflow"]["signals"][0]


def test_the_wait_until_inspector_edits_its_condition_and_timeout(console: AppTest):
    app = in_builder(console, example="collect_greetings", name="greetings")
    key = _select(app, "wait")
    condition = app.text_input(key=f"{key}.condition")
    assert condition.value == "done"
    condition.input("len(greetings) >= 3").run()
    assert not app.exception
    assert app.toggle(key=f"{key}.timeout.is_expr").value  # input.timeout_seconds
    wait = next(node for node in saved_draft(app)["nodes"] if node["id"] == "wait")
    assert wait["params"]["condition"] == "len(greetings) >= 3"
