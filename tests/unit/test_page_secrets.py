"""The Secrets page (AppTest): create with a hidden value, rotate, delete after confirming, and
the workflows that use each; the value never shows."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.secrets import SecretValue
from tests.unit.console import app_services, opened

VALUE = "page-Secret-value-31c9"


@pytest.fixture
def app(console: AppTest) -> AppTest:
    console.run()
    return opened(console, "pages/secrets.py")


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    return at


def _shown(at: AppTest) -> str:
    """Everything the page shows as text (the password box itself aside)."""
    kinds = ("markdown", "text", "caption", "success", "error", "warning", "info", "toast")
    return json.dumps([element.value for kind in kinds for element in getattr(at, kind)])


def test_an_admin_creates_a_secret_whose_value_is_never_shown(app: AppTest) -> None:
    assert [i.value for i in app.info] == ["No secrets yet."]
    value_input = next(w for w in app.text_input if w.label == "Value")
    assert value_input.proto.type == value_input.proto.PASSWORD

    next(w for w in app.text_input if w.label == "Name").input("crm_token")
    value_input.input(VALUE)
    _click(app, "Create")

    [info] = app_services().secrets.list()
    assert info.name == "crm_token" and info.created_by == "system"
    assert "Secret crm_token created." in [s.value for s in app.success]
    assert "Used by: no workflow" in [t.value for t in app.text]
    assert VALUE not in _shown(app)


def test_a_bad_name_is_refused_with_the_reason(app: AppTest) -> None:
    next(w for w in app.text_input if w.label == "Name").input("CRM token")
    next(w for w in app.text_input if w.label == "Value").input(VALUE)
    _click(app, "Create")

    assert "is not a secret name" in app.error[0].value
    assert app_services().secrets.list() == []


def test_rotate_then_delete_after_confirming(app: AppTest) -> None:
    app_services().secrets.create("crm_token", SecretValue(VALUE))
    app.run()

    next(w for w in app.text_input if w.label == "New value").input("another-value")
    _click(app, "Rotate")
    assert app_services().secrets.list()[0].rotated_at is not None
    assert "rotated" in app.text[0].value
    assert "Secret crm_token rotated" in app.success[0].value

    _click(app, "Delete")
    assert app.warning[0].value == "Delete secret crm_token?"
    assert app_services().secrets.list() != []
    _click(app, "Delete for good")

    assert app_services().secrets.list() == []
    assert [i.value for i in app.info] == ["No secrets yet."]
