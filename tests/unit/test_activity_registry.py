"""The activity registry: introspection of built-ins and plugin modules, and its errors."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pytest

from core.activities import (
    BUILTIN_NAMES,
    ActivityParam,
    ActivityRegistry,
    ActivityRegistryError,
    ActivitySpec,
    builtin_registry,
    load_registry,
)
from core.activities.spec import json_type
from core.errors import WorkflowBuilderError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def plugin_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Put the fixtures and a scratch folder on sys.path; forget modules loaded from them."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None) or ""
        if origin.startswith((str(FIXTURES), str(tmp_path))):
            del sys.modules[name]


def write_module(folder: Path, name: str, body: str) -> str:
    (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return name


# --- built-ins ---------------------------------------------------------------------------


def test_builtin_registry_lists_the_builtins_sorted():
    registry = builtin_registry()
    assert registry.names() == ("echo", "fail", "http_request", "log") == BUILTIN_NAMES
    assert [spec.name for spec in registry.specs()] == list(registry.names())
    assert all(spec.builtin for spec in registry.specs())


def test_http_request_spec_is_read_from_its_signature():
    spec = builtin_registry().get("http_request")
    assert spec is not None
    assert spec.description == "Send one HTTP request and return the status, headers and body."
    assert [(p.name, p.type, p.required, p.default) for p in spec.params] == [
        ("method", "string", False, "GET"),
        ("url", "string", False, ""),
        ("headers", "object", False, None),
        ("query", "object", False, None),
        ("json", "any", False, None),
        ("body", "string", False, None),
        ("timeout_seconds", "number", False, 30.0),
    ]
    assert spec.params[1].description == "The absolute http or https URL."
    assert spec.returns == "object"
    assert spec.module == "core.activities.builtin.http_request"
    assert spec.requirements[0].startswith("httpx==")


def test_log_echo_fail_specs():
    registry = builtin_registry()
    log, echo, fail = registry.get("log"), registry.get("echo"), registry.get("fail")
    assert log.params[0] == ActivityParam(
        name="message", type="string", required=True, description="The text of the line."
    )
    # A continuation line in the Args: section joins its entry.
    assert log.params[2].description == (
        "Extra key/value pairs, appended to the line as sorted JSON and attached "
        "to the log record as ``fields``."
    )
    assert (log.returns, fail.returns, echo.returns) == ("null", "null", "any")
    assert [(p.name, p.type) for p in fail.params] == [
        ("message", "string"),
        ("error_type", "string"),
        ("non_retryable", "boolean"),
    ]
    assert echo.params == (
        ActivityParam(
            name="value",
            type="any",
            required=True,
            description="Any JSON value; it comes back as it went in.",
        ),
    )


def test_functions_are_the_activity_callables_in_name_order():
    registry = builtin_registry()
    functions = registry.functions()
    assert [fn.__name__ for fn in functions] == list(BUILTIN_NAMES)
    assert functions == [spec.fn for spec in registry.specs()]


def test_unknown_name_gives_none():
    assert builtin_registry().get("no_such_activity") is None


def test_spec_equality_ignores_the_callable():
    spec = builtin_registry().get("echo")
    twin = ActivitySpec(**{**spec.__dict__, "fn": print})
    assert twin == spec and hash(twin) == hash(spec)
    assert "fn=" not in repr(spec)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (str, "string"),
        (int, "integer"),
        (float, "number"),
        (bool, "boolean"),
        (dict, "object"),
        (dict[str, int], "object"),
        (Mapping[str, Any], "object"),
        (list, "array"),
        (list[str], "array"),
        (Sequence[int], "array"),
        (str | None, "string"),
        (int | str, "any"),
        (Any, "any"),
        (Literal["a"], "any"),
        (None, "null"),
        (bytes, "any"),
    ],
)
def test_json_type_of_hints(hint, expected):
    assert json_type(hint) == expected


# --- plugins -----------------------------------------------------------------------------


def test_load_registry_without_plugins_is_the_builtins():
    assert load_registry().specs() == builtin_registry().specs()


def test_plugin_module_activities_are_added(plugin_path):
    registry = load_registry(["plugin_activities"])
    assert registry.names() == (
        "echo",
        "fail",
        "greet",
        "http_request",
        "log",
        "merge_objects",
        "plugin.sum_numbers",
    )
    greet = registry.get("greet")
    assert greet == ActivitySpec(
        name="greet",
        description="Greet someone by name.",
        params=(
            ActivityParam(name="name", type="string", required=True, description="Who to greet."),
            ActivityParam(
                name="excited",
                type="boolean",
                required=False,
                default=False,
                description="End with an exclamation mark instead of a full stop.",
            ),
        ),
        returns="string",
        module="plugin_activities",
        builtin=False,
        requirements=(),
        fn=greet.fn,
    )
    assert greet.fn is sys.modules["plugin_activities"].greet
    sums = registry.get("plugin.sum_numbers")
    assert [(p.name, p.type, p.required, p.default) for p in sums.params] == [
        ("values", "array", True, None),
        ("start", "integer", False, 0),
    ]
    assert (sums.returns, sums.description) == (
        "number",
        "Add numbers up (a synchronous activity).",
    )
    merge = registry.get("merge_objects")
    assert [(p.name, p.type) for p in merge.params] == [("base", "object"), ("extra", "object")]
    assert (merge.returns, merge.description) == ("object", "")
    assert len(registry.functions()) == 7


def test_blank_plugin_entries_are_ignored(plugin_path):
    assert "greet" in load_registry([" plugin_activities ", "", "  "]).names()


def test_reexported_builtin_is_not_a_collision(plugin_path):
    write_module(
        plugin_path,
        "reexporting",
        """
        from core.activities.builtin.echo import echo
        from temporalio import activity

        @activity.defn(name="shout")
        async def shout(text: str) -> str:
            return text.upper()
        """,
    )
    registry = load_registry(["reexporting"])
    assert registry.get("echo").builtin
    assert registry.get("shout").module == "reexporting"


def _error(modules: list[str]) -> ActivityRegistryError:
    with pytest.raises(ActivityRegistryError) as info:
        load_registry(modules)
    assert isinstance(info.value, WorkflowBuilderError)
    return info.value


def test_unimportable_module_is_named(plugin_path):
    error = _error(["no_such_plugin_module"])
    assert error.module == "no_such_plugin_module"
    assert str(error).startswith("activity module 'no_such_plugin_module': cannot be imported")
    assert "ModuleNotFoundError" in str(error)


def test_module_failing_at_import_is_named(plugin_path):
    write_module(plugin_path, "broken_plugin", "raise RuntimeError('config missing')\n")
    error = _error(["broken_plugin"])
    assert error.module == "broken_plugin"
    assert "config missing" in str(error)


def test_module_without_activities_is_an_error(plugin_path):
    write_module(plugin_path, "empty_plugin", "def helper():\n    return 1\n")
    error = _error(["empty_plugin"])
    assert str(error) == (
        "activity module 'empty_plugin': defines no @activity.defn function with a name"
    )


def test_plugin_colliding_with_a_builtin_is_an_error(plugin_path):
    write_module(
        plugin_path,
        "clash_builtin",
        """
        from temporalio import activity

        @activity.defn(name="echo")
        async def my_echo(value):
            return value
        """,
    )
    error = _error(["clash_builtin"])
    assert error.module == "clash_builtin"
    assert "activity 'echo' (function 'my_echo') collides with the one defined by " in str(error)
    assert "the built-in activities" in str(error)


def test_plugins_colliding_with_each_other_is_an_error(plugin_path):
    write_module(
        plugin_path,
        "second_greeter",
        """
        from temporalio import activity

        @activity.defn(name="greet")
        async def greet(name: str) -> str:
            return name
        """,
    )
    error = _error(["plugin_activities", "second_greeter"])
    assert error.module == "second_greeter"
    assert "plugin module 'plugin_activities'" in str(error)


def test_variadic_activity_is_an_error(plugin_path):
    write_module(
        plugin_path,
        "variadic_plugin",
        """
        from temporalio import activity

        @activity.defn(name="many")
        async def many(*values):
            return values
        """,
    )
    error = _error(["variadic_plugin"])
    assert "activity 'many': parameter 'values' is variadic" in str(error)


def test_a_positional_only_parameter_is_an_error(plugin_path):
    # Its input object's fields are passed as keyword arguments, which it cannot take.
    write_module(
        plugin_path,
        "positional_plugin",
        """
        from temporalio import activity

        @activity.defn(name="square")
        async def square(x, /):
            return x * x
        """,
    )
    error = _error(["positional_plugin"])
    assert "activity 'square': parameter 'x' is positional-only" in str(error)


def test_registry_rejects_duplicate_specs():
    spec = builtin_registry().get("echo")
    with pytest.raises(ActivityRegistryError, match="'echo' is already defined by the built-in"):
        ActivityRegistry([spec, spec])
