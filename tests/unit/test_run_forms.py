"""Run and signal forms: widgets chosen per field type, defaults shown, values coerced."""

from __future__ import annotations

import pytest

from core.graph import InputField, input_fields_from_json
from core.run_forms import (
    FormInputError,
    WidgetKind,
    form_fields,
    form_values,
)

FIELDS = (
    InputField("name", "string", required=True, description="Who to greet"),
    InputField("ratio", "number", default=3600),
    InputField("count", "integer", default=2),
    InputField("loud", "boolean", default=True),
    InputField("options", "object", default={"a": 1}),
    InputField("tags", "array"),
)


def test_each_type_gets_its_widget_and_its_default():
    form = {item.name: item for item in form_fields(FIELDS)}
    assert [item.kind for item in form.values()] == [
        WidgetKind.TEXT,
        WidgetKind.NUMBER,
        WidgetKind.INTEGER,
        WidgetKind.CHECKBOX,
        WidgetKind.JSON,
        WidgetKind.JSON,
    ]
    assert form["name"].label == "name *" and form["name"].initial == ""
    assert form["name"].help == "Who to greet (string)"
    assert form["ratio"].initial == 3600.0 and isinstance(form["ratio"].initial, float)
    assert form["count"].initial == 2 and form["loud"].initial is True
    assert form["options"].initial == '{\n  "a": 1\n}'
    assert form["tags"].initial == "" and form["tags"].json_type == "array"
    assert form["ratio"].label == "ratio"


def test_submitted_values_become_field_values():
    form = form_fields(FIELDS)
    values = form_values(
        form,
        {
            "name": "Ann",
            "ratio": 1.5,
            "count": 3.0,
            "loud": False,
            "options": '{"b": [1, 2]}',
            "tags": '["x"]',
        },
    )
    assert values == {
        "name": "Ann",
        "ratio": 1.5,
        "count": 3,
        "loud": False,
        "options": {"b": [1, 2]},
        "tags": ["x"],
    }
    assert isinstance(values["count"], int)


def test_empty_optional_fields_are_left_out():
    form = form_fields(FIELDS)
    values = form_values(form, {"name": "Ann", "ratio": None, "options": "  ", "tags": ""})
    assert values == {"name": "Ann", "loud": False}


def test_an_empty_required_field_is_named():
    with pytest.raises(FormInputError, match="^name: is required$") as info:
        form_values(form_fields(FIELDS), {"name": "   "})
    assert info.value.field == "name"


def test_bad_json_names_the_field_and_where_the_text_breaks():
    with pytest.raises(FormInputError) as info:
        form_values(form_fields(FIELDS), {"name": "Ann", "options": '{"a": 1,\n}'})
    assert info.value.field == "options"
    assert "is not valid JSON" in info.value.reason and "line 2, column 1" in info.value.reason


def test_json_of_the_wrong_type_is_refused():
    with pytest.raises(FormInputError, match="tags: must be a JSON array \\(got object\\)"):
        form_values(form_fields(FIELDS), {"name": "Ann", "tags": '{"x": 1}'})
    with pytest.raises(FormInputError, match="options: must be a JSON object \\(got number\\)"):
        form_values(form_fields(FIELDS), {"name": "Ann", "options": "3"})


def test_signal_declarations_become_fields():
    declared = input_fields_from_json(
        [
            {"name": "approved", "type": "boolean", "required": True},
            {"name": "by", "description": "approver"},
        ]
    )
    assert declared == (
        InputField("approved", "boolean", required=True),
        InputField("by", "string", description="approver"),
    )
