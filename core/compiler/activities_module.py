"""``activities.py``: the built-in activities a graph uses, its plugin imports and ACTIVITIES."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterable

from core.activities import ActivitySpec, bundle_activities_source
from core.codegen.errors import CompileError
from core.codegen.syntax import assign, store, unparse

_FUTURE = "from __future__ import annotations\n"
_MODULE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def generate_activities_source(specs: Iterable[ActivitySpec]) -> str:
    """The module source (unformatted): built-in sources, plugin imports, ``ACTIVITIES``.

    Plugin functions are imported under synthetic names (``plugin_activity_1``) in activity
    name order, so they can never clash with a built-in's definitions.
    """
    ordered = sorted({spec.name: spec for spec in specs}.values(), key=lambda spec: spec.name)
    source = bundle_activities_source(spec.name for spec in ordered if spec.builtin)
    imports: list[ast.stmt] = []
    references: list[ast.expr] = []
    for spec in ordered:
        if spec.builtin:
            references.append(ast.Name(id=_attribute(spec), ctx=ast.Load()))
            continue
        alias = f"plugin_activity_{len(imports) + 1}"
        imports.append(
            ast.ImportFrom(
                module=_module(spec),
                names=[ast.alias(name=_attribute(spec), asname=alias)],
                level=0,
            )
        )
        references.append(ast.Name(id=alias, ctx=ast.Load()))
    listing = assign(store("ACTIVITIES"), ast.List(elts=references, ctx=ast.Load()))
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
