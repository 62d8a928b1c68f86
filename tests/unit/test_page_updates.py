"""The builder: workflow updates in the workflow settings, each edited in its own form (name,
description, validator, refusal, result), with its input fields and variable changes under it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.text import markdown_unliteral
from tests.unit.console import in_builder, saved_draft, settings_open


def _settings(app: AppTest) -> str:
    return f"inspector_{app.session_state['builder_editor'].generation}_settings.updates"


def test_updates_are_added_checked_edited_and_removed_through_forms(console: AppTest):
    app = settings_open(in_builder(console, example="guest_list", name="guests"))
    updates = _settings(app)
    app.button(key=f"{updates}.add").click().run()
    form = f"{updates}.new.form"
    app.text_input(key=f"{form}.name").input("count")
    app.text_input(key=f"{form}.result").input("len(guests or [")
    app.button(key=f"{updates}.new.save").click().run()
    errors = [markdown_unliteral(error.value) for error in app.error]
    assert any(error.startswith("Result: ") for error in errors), errors
    app.text_input(key=f"{form}.result").input("len(guests or [])")
    app.button(key=f"{updates}.new.save").click().run()
    assert not app.exception
    added = saved_draft(app)["workflow"]["updates"][2]
    assert added == {
        "name": "count",
        "description": "",
        "fields": [],
        "result": "len(guests or [])",
    }

    # Editing keeps the input fields and variable changes, and a cleared validator goes.
    updates = _settings(app)
    app.button(key=f"{updates}.0.edit").click().run()
    app.text_input(key=f"{updates}.0.form.validator").input("")
    app.button(key=f"{updates}.0.save").click().run()
    invite = saved_draft(app)["workflow"]["updates"][0]
    assert "validator" not in invite
    assert invite["refusal"] == "the guest is invited already, or the list is full"
    assert invite["updates"] == [{"variable": "guests", "action": "append", "field": "name"}]
    assert [field["name"] for field in invite["fields"]] == ["name"]

    for _ in range(3):
        app.button(key=f"{_settings(app)}.0.remove").click().run()
    assert not saved_draft(app)["workflow"]["updates"]
