"""The core's layers import only downwards: graph, then codegen, then the node kinds, then
validation, then the compiler. A kind module may use everything below it; nothing below the
catalog imports it back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Lowest first: each package may import those before it, never those after.
LAYERS = ("core.graph", "core.codegen", "core.nodes", "core.validation", "core.compiler")


def _imported_modules(path: Path) -> set[str]:
    """Every ``core...`` module a file imports, wherever the import statement stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "core" or name.startswith("core.")}


def _layer(module: str) -> int | None:
    for index, package in enumerate(LAYERS):
        if module == package or module.startswith(package + "."):
            return index
    return None


@pytest.mark.parametrize("package", LAYERS)
def test_a_layer_imports_no_layer_above_it(package: str) -> None:
    own = LAYERS.index(package)
    upward = []
    for path in sorted((REPO / Path(*package.split("."))).rglob("*.py")):
        for module in sorted(_imported_modules(path)):
            layer = _layer(module)
            if layer is not None and layer > own:
                upward.append(f"{path.relative_to(REPO)} imports {module}")
    assert upward == []


def test_the_graph_package_imports_with_the_node_catalog_blocked() -> None:
    # A fresh interpreter, so modules other tests imported already do not hide an import.
    modules = sorted(
        "core.graph" + ("" if path.stem == "__init__" else f".{path.stem}")
        for path in (REPO / "core" / "graph").glob("*.py")
    )
    script = (
        "import sys\n"
        "class Blocked:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[:2] in (['core', 'nodes'], ['core', 'validation']):\n"
        "            raise ImportError('core.graph imported ' + name)\n"
        "sys.meta_path.insert(0, Blocked())\n"
        f"for module in {modules!r}:\n"
        "    __import__(module)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
