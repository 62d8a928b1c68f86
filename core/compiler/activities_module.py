"""``activities.py``: the activities a graph uses, each registered to take one input object.

The built-ins' sources are copied in and plugin functions imported; ``ACTIVITIES`` lists, per
activity, ``input_object_activity("<name>", <function>)`` (``core.activities.input_object``):
registered under the activity's name, it takes one JSON object (the parameters by name) and
calls the function with keyword arguments.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterable

from core.activities import ActivitySpec, bundle_activities_source
from core.activities.pacing import pace_loop
from core.codegen.errors import CompileError
from core.codegen.syntax import assign, call, const, name, store, unparse

_FUTURE = "from __future__ import annotations\n"
_MODULE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def generate_activities_source(specs: Iterable[ActivitySpec], *, pacing: bool = False) -> str:
    """The module source (unformatted): built-in sources, plugin imports, ``ACTIVITIES``.

    Plugin functions are imported under synthetic names (``plugin_activity_1``) in activity
    name order, so they can never clash with a built-in's definitions. With ``pacing`` (the
    workflow has loops) the loop pause comes last, registered as it is: it takes one object.
    """
    ordered = sorted({spec.name: spec for spec in specs}.values(), key=lambda spec: spec.name)
    source = bundle_activities_source(
        (spec.name for spec in ordered if spec.builtin),
        input_objects=bool(ordered),
        pacing=pacing,
    )
    imports: list[ast.stmt] = []
    registered: list[ast.expr] = []
    for spec in ordered:
        if spec.builtin:
            function = _attribute(spec)
        else:
            function = f"plugin_activity_{len(imports) + 1}"
            imports.append(
                ast.ImportFrom(
                    module=_module(spec),
                    names=[ast.alias(name=_attribute(spec), asname=function)],
                    level=0,
                )
            )
        registered.append(call("input_object_activity", [const(spec.name), name(function)]))
    if pacing:
        registered.append(name(pace_loop.__name__))
    listing = assign(store("ACTIVITIES"), ast.List(elts=registered, ctx=ast.Load()))
    if imports:
        import_text = unparse(imports) + "\n"
        if _FUTURE in source:
            source = source.replace(_FUTURE, _FUTURE + "\n" + import_text, 1)
        else:
            source = source + "\n" + import_text
    return source + "\n\n" + unparse([listing]) + "\n"


def _module(spec: ActivitySpec) -> str:
    if not _MODULE_PATH.fullmatch(spec.module):
        raise CompileError(
            f"{spec.module!r} is not a module path", subject=f"activity {spec.name!r}"
        )
    return spec.module


def _attribute(spec: ActivitySpec) -> str:
    """The name the activity function has in its module (built-ins: the activity name)."""
    if spec.builtin:
        return spec.name
    module = importlib.import_module(_module(spec))
    candidates = [spec.fn.__name__] + sorted(vars(module))
    for attribute in candidates:
        if attribute.isidentifier() and getattr(module, attribute, None) is spec.fn:
            return attribute
    raise CompileError(
        f"module {spec.module!r} has no attribute holding the activity function",
        subject=f"activity {spec.name!r}",
    )
