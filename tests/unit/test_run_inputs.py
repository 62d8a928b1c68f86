"""Run inputs and signal payloads are checked against their declared fields and the limits."""

from __future__ import annotations

from typing import Any

import pytest

from core.executions import (
    RunInputError,
    SignalPayloadError,
    check_input,
    check_signal_payload,
)
from core.graph import InputField, SignalDecl
from core.limits import InputLimitError
from core.run_forms import FormInputError, form_fields, form_values

FIELDS = (
    InputField(name="count", type="number", required=True),
    InputField(name="note", type="string"),
)
GO = SignalDecl(name="go", fields=FIELDS)
PING = SignalDecl(name="ping")


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ({"note": "x"}, RunInputError, "input field 'count': is required"),
        ({"count": "3"}, RunInputError, "input field 'count': expected a value of type number"),
        ({"count": 1, "zzz": 2}, RunInputError, "input field 'zzz': the workflow has no such"),
        ([1, 2], InputLimitError, "input: must be a JSON object of input fields, not an array"),
        (None, InputLimitError, "input: must be a JSON object of input fields, not null"),
        ("go", InputLimitError, "input: must be a JSON object of input fields, not text"),
        ({"count": 1, "note": _deep(10_000)}, InputLimitError, "input.note.a.a.a.<"),
        ({"count": 10**5001}, InputLimitError, "input.count: an integer of about 5,002 digits"),
        ({"count": 1, "note": "x" * 3_000_000}, InputLimitError, "input.note: 3,000,000 char"),
        ({"count": 1, "note": "é" * 300_000}, InputLimitError, "input: 1,800,021 bytes as JSON"),
        ({"count": float("nan")}, InputLimitError, "input.count: nan is not a finite number"),
        ({"\udfff": 1}, InputLimitError, "input: holds a lone surrogate"),
    ],
)
def test_bad_run_input_is_refused_with_where(values, error, message):
    with pytest.raises(error) as caught:
        check_input(FIELDS, values)
    assert str(caught.value).startswith(message)


def test_good_input_keeps_declared_fields_only():
    assert check_input(FIELDS, {"count": 2, "note": None}) == {"count": 2}


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        ({"note": "x"}, SignalPayloadError, "signal 'go' field 'count': is required"),
        ({"count": "three"}, SignalPayloadError, "signal 'go' field 'count': expected a value"),
        ({"count": 1, "zzz": 2}, SignalPayloadError, "signal 'go' field 'zzz': the signal has"),
        (None, SignalPayloadError, "signal 'go' field 'count': is required"),
        ([1, 2], InputLimitError, "signal 'go' payload: must be a JSON object of fields, not"),
        ("go", InputLimitError, "signal 'go' payload: must be a JSON object of fields, not text"),
        ({"count": 1, "note": _deep(100)}, InputLimitError, "signal 'go' payload.note.a.a.a.<"),
        ({"count": 1, "note": "x" * 1_600_000}, InputLimitError, "signal 'go' payload.note"),
        ({"count": 1, "note": "\ud800"}, InputLimitError, "signal 'go' payload.note: holds"),
    ],
)
def test_bad_signal_payloads_are_refused_naming_the_field(payload, error, message):
    with pytest.raises(error) as caught:
        check_signal_payload(GO, payload)
    assert str(caught.value).startswith(message)


def test_signal_payloads_that_fit():
    assert check_signal_payload(GO, {"count": 3, "note": "fine"}) == {"count": 3, "note": "fine"}
    assert check_signal_payload(PING, None) is None
    assert check_signal_payload(PING, {}) == {}
    with pytest.raises(SignalPayloadError, match="field 'x': the signal has no such field"):
        check_signal_payload(PING, {"x": 1})
    with pytest.raises(InputLimitError, match="must be a JSON object of no fields, not a number"):
        check_signal_payload(PING, 5)


def test_a_form_json_field_over_a_limit_names_the_field():
    form = form_fields([InputField(name="items", type="array")])
    with pytest.raises(InputLimitError) as caught:
        form_values(form, {"items": "[" * 10_000 + "]" * 10_000})
    assert caught.value.where.startswith("items[0][0][0][0].<")
    with pytest.raises(FormInputError, match="is not valid JSON"):
        form_values(form, {"items": "[1,"})
