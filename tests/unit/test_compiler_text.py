"""Turning generated trees into text: the compiler's unparser and its ruff formatter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.compiler import compile_graph, formatting
from core.compiler.errors import CompileError
from core.compiler.formatting import Formatter, clear_format_cache
from core.compiler.syntax import unparse
from core.graph import graph_from_dict
from tests.unit.test_compiler_injection import CORPUS, _injected_graph

GOLDEN_SOURCES = sorted((Path(__file__).resolve().parents[1] / "golden").glob("*/*.py"))


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
