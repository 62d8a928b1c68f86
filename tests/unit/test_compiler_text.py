"""Turning generated trees into text: the compiler's unparser and its ruff formatter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.codegen import syntax
from core.codegen.errors import CompileError
from core.codegen.syntax import unparse
from core.compiler import BUNDLE_FILES, compile_graph, formatting
from core.compiler.formatting import Formatter, clear_format_cache
from core.graph import graph_from_dict, load_graph
from tests.unit.test_compiler_injection import CORPUS, _injected_graph

REPO = Path(__file__).resolve().parents[2]
GOLDEN_SOURCES = sorted((REPO / "tests" / "golden").glob("*/*.py"))


@pytest.mark.parametrize("path", GOLDEN_SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_unparse_matches_ast_unparse_on_every_golden_file(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert unparse(tree.body) == ast.unparse(tree)


@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_unparse_matches_ast_unparse_on_injected_text(text: str) -> None:
    # Quotes, backslashes and f-strings take the unparser's rarer paths.
    bundle = compile_graph(graph_from_dict(_injected_graph(text)))
    for source in (bundle.files["workflow.py"], bundle.files["activities.py"]):
        tree = ast.parse(source)
        assert unparse(tree.body) == ast.unparse(tree)


def test_without_the_private_unparser_every_example_compiles_to_its_golden_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Python 3.14, which moved ast._Unparser, runs: the public ast.unparse.
    monkeypatch.setattr(syntax, "_FAST_UNPARSER", None)
    clear_format_cache()  # the same source must reach ruff, not a remembered result
    for example in sorted((REPO / "examples").glob("*.json")):
        bundle = compile_graph(load_graph(example.read_bytes()))
        for name in BUNDLE_FILES:
            golden = REPO / "tests" / "golden" / example.stem / name
            assert bundle.files[name] == golden.read_text(encoding="utf-8"), golden


def test_core_reads_private_ast_names_only_with_a_public_fallback() -> None:
    # ast._X names are CPython's internals, free to move between versions (3.14 moved
    # _Unparser): an attribute access would fail at import. The one allowed form is getattr
    # with a default, whose None the code takes as "use the public API" (the test above).
    attributes, lookups = [], []
    for path in sorted((REPO / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(REPO)}:{node.lineno}" if hasattr(node, "lineno") else ""
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "ast"
                and node.attr.startswith("_")
            ):
                attributes.append(f"{where} ast.{node.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == "ast"
            ):
                lookups.append((where, len(node.args)))
    assert attributes == []
    assert [where for where, count in lookups if count != 3] == []
    assert len(lookups) == 1  # syntax._fast_unparser, the case the test above covers


def test_formatter_formats_each_source_and_remembers_it() -> None:
    clear_format_cache()
    with Formatter() as formatter:
        formatter.prepare("a.py")
        formatter.submit("a.py", "x=[1,\n2]\n")
        formatter.submit("b.py", "def f( a ):\n  return a\n")
        first = formatter.results()
    assert first == {"a.py": "x = [1, 2]\n", "b.py": "def f(a):\n    return a\n"}
    with Formatter() as formatter:
        formatter.submit("a.py", "x=[1,\n2]\n")
        assert formatter._started == {}  # a remembered source starts no process
        assert formatter.results() == {"a.py": "x = [1, 2]\n"}


def test_ruff_rejecting_a_source_is_a_compile_error_naming_the_file() -> None:
    clear_format_cache()
    with Formatter() as formatter, pytest.raises(CompileError) as caught:
        formatter.submit("workflow.py", "def broken(:\n")
        formatter.results()
    assert caught.value.subject == "workflow.py"
    assert "ruff could not format the generated code" in caught.value.reason


def test_a_missing_ruff_is_a_compile_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formatting, "_ruff_command", lambda: ["/nonexistent/ruff"])
    with Formatter() as formatter, pytest.raises(CompileError, match="cannot run ruff"):
        formatter.prepare("worker.py")


def test_leaving_the_formatter_ends_processes_that_never_got_a_source() -> None:
    with Formatter() as formatter:
        formatter.prepare("workflow.py")
        process = formatter._started["workflow.py"].process
    assert process.returncode is not None
