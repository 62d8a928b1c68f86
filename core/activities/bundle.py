"""Merge the sources of the built-in activities a bundle uses into one module source."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from importlib import resources

from core.activities.builtin import builtin_source
from core.activities.errors import ActivityRegistryError

_HEADER = '"""Built-in activities copied from Workflow Builder; generated, do not edit."""\n'
_FUTURE = "from __future__ import annotations"


def bundle_activities_source(
    names: Iterable[str], *, input_objects: bool = False, pacing: bool = False
) -> str:
    """Return one Python module source defining the given built-in activities.

    Imports of all the modules are hoisted and deduplicated (``from __future__`` first,
    the rest sorted by module); each module's definitions follow in sorted activity name order,
    without the module docstrings. The same set of names always gives the same text.

    Args:
        names: Built-in activity names; duplicates and order do not matter.
        input_objects: Also define :func:`core.activities.input_object.keyword_arguments`,
            which the wrappers that take one input object call (after the built-ins).
        pacing: Also define the loop pause, :func:`core.activities.pacing.pace_loop` (last).

    Returns:
        The module source, ending in a newline.

    Raises:
        ActivityRegistryError: A name is not a built-in activity, or two built-ins
            define the same top-level name.
    """
    imports: set[str] = set()
    bodies: list[str] = []
    defined: dict[str, str] = {}
    sources = [(name, builtin_source(name)) for name in sorted(set(names))]
    if input_objects:
        sources.append(("input_object", _own_source("input_object.py")))
    if pacing:
        sources.append(("pacing", _own_source("pacing.py")))
    for name, source in sources:
        module_imports, body, top_names = _split_module(source)
        for top_name in top_names:
            if top_name in defined:
                raise ActivityRegistryError(
                    f"built-ins {defined[top_name]!r} and {name!r} both define {top_name!r}"
                )
            defined[top_name] = name
        imports.update(module_imports)
        bodies.append(body)
    if not bodies:
        return _HEADER
    # By module path ("import x" and "from x import y" both name it second), then text.
    ordered_imports = sorted(imports - {_FUTURE}, key=lambda line: (line.split()[1], line))
    head = "\n".join([_FUTURE, "", *ordered_imports])
    return _HEADER + "\n" + head + "\n\n\n" + "\n\n\n".join(bodies) + "\n"


@functools.cache
def _own_source(filename: str) -> str:
    """The source of a module of this package that bundles copy (see ``input_objects``)."""
    return resources.files("core.activities").joinpath(filename).read_text(encoding="utf-8")


def _split_module(source: str) -> tuple[list[str], str, list[str]]:
    """Split a module into its leading imports, the text after them and the names it defines."""
    tree = ast.parse(source)
    imports: list[str] = []
    header_end = 0
    statements = list(tree.body)
    if statements and _is_docstring(statements[0]):
        header_end = statements.pop(0).end_lineno or 0
    while statements and isinstance(statements[0], ast.Import | ast.ImportFrom):
        node = statements.pop(0)
        imports.append(ast.get_source_segment(source, node) or ast.unparse(node))
        header_end = node.end_lineno or header_end
    top_names = [name for node in statements for name in _defined_names(node)]
    # The rest is kept as written, comments and spacing included.
    body = "\n".join(source.splitlines()[header_end:]).strip("\n")
    return imports, body, top_names


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign | ast.AugAssign):
        targets = [node.target]
    return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
