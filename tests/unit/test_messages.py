"""Validation messages in plain words: every constraint of every params model, broken on purpose,
gives a sentence without a regular expression or pydantic's own phrasing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from core.errors import GraphFormatError
from core.graph import graph_from_dict
from core.graph.document import GraphDoc
from core.graph.messages import PATTERN_RULES, plain_message
from core.nodes.catalog import CATALOG

#: What must never reach a user: regex syntax and pydantic's raw sentences.
LEAKS = re.compile(
    r"\^|\$|\\[dws]|\[A-|\{0,|\(\?:|should match|Input should|String should|List should"
)
MODELS: list[type[BaseModel]] = [kind.params_model for kind in CATALOG.values()] + [GraphDoc]


def _resolve(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref")
    return {**defs[ref.rsplit("/", 1)[-1]], **prop} if ref else prop


def _options(prop: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    prop = _resolve(prop, defs)
    if "anyOf" in prop:
        return [_resolve(item, defs) for item in prop["anyOf"] if item.get("type") != "null"]
    return [prop]


def _violations(
    schema: dict[str, Any], defs: dict[str, Any], path: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], Any, str]]:
    """(path, a value breaking one constraint, which constraint) for every constraint."""
    for name, prop in schema.get("properties", {}).items():
        where = (*path, name)
        for option in _options(prop, defs):
            if "pattern" in option:
                yield where, "1 bad name!", "pattern"
            if option.get("minLength"):
                yield where, "", "minLength"
            if "maxLength" in option:
                yield where, "x" * (option["maxLength"] + 1), "maxLength"
            if "minimum" in option:
                yield where, option["minimum"] - 1, "minimum"
            if "maximum" in option:
                yield where, option["maximum"] + 1, "maximum"
            if option.get("minItems"):
                yield where, [], "minItems"
            if option.get("type") == "integer":
                yield where, "ten", "integer"
            if option.get("type") == "object" and "properties" in option:
                yield from _violations(option, defs, where)
            items = _resolve(option.get("items", {}), defs)
            if option.get("type") == "array" and "properties" in items:
                yield from _violations(items, defs, (*where, 0))


def _patterns(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("pattern"), str):
            yield value["pattern"]
        for item in value.values():
            yield from _patterns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _patterns(item)


def _placed(path: tuple[Any, ...], value: Any) -> Any:
    """A document holding ``value`` at ``path`` (ints are list positions)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    inner = _placed(rest, value)
    return [inner] if isinstance(head, int) else {head: inner}


CASES = [
    pytest.param(model, path, value, id=f"{model.__name__}.{'.'.join(map(str, path))}:{what}")
    for model in MODELS
    for path, value, what in _violations(
        model.model_json_schema(), model.model_json_schema().get("$defs", {}), ()
    )
]


def test_every_pattern_of_every_model_has_its_words() -> None:
    found = {pattern for model in MODELS for pattern in _patterns(model.model_json_schema())}
    assert found  # identifiers, durations
    assert found <= set(PATTERN_RULES), found - set(PATTERN_RULES)
    for words in PATTERN_RULES.values():
        assert "(like " in words and not LEAKS.search(words)


@pytest.mark.parametrize(("model", "path", "value"), CASES)
def test_each_broken_constraint_reads_plainly(
    model: type[BaseModel], path: tuple[Any, ...], value: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(_placed(path, value))
    errors = caught.value.errors()
    at_field = [error for error in errors if tuple(error["loc"])[: len(path)] == path]
    assert at_field, errors
    for error in errors:
        message = plain_message(error)
        assert message and not LEAKS.search(message), (error, message)


def test_a_pattern_message_names_the_value_and_gives_an_example() -> None:
    with pytest.raises(ValidationError) as caught:
        CATALOG["set_variable"].params_model.model_validate({"name": "order id", "expression": "1"})
    (error,) = caught.value.errors()
    assert plain_message(error) == (
        "'order id' is not allowed: a name starts with a letter or _ and has only letters, "
        "digits and _, at most 64 characters (like order_id)"
    )


def test_numbers_bounds_and_unknown_keys_in_words() -> None:
    with pytest.raises(ValidationError) as caught:
        CATALOG["loop"].params_model.model_validate(
            {"items": "[1]", "max_iterations": 200_000, "colour": 1}
        )
    messages = sorted(plain_message(error) for error in caught.value.errors())
    assert messages == [
        "'colour' is not a known setting here; check its spelling or remove it",
        "must be 100,000 or less",
    ]


def test_document_shape_errors_read_plainly() -> None:
    with pytest.raises(GraphFormatError) as caught:
        graph_from_dict(
            {"format": "workflow-builder/1", "workflow": {"nmae": "x"}, "nodes": [{"id": 3}]}
        )
    problems = dict(caught.value.problems)
    assert problems["workflow.name"] == "is required"
    assert problems["workflow.nmae"].startswith("'nmae' is not a known setting")
    assert problems["nodes[0].id"] == 'must be text (like "hello")'
    assert not any(LEAKS.search(reason) for reason in problems.values())
