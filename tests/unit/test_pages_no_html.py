"""No page hands text to Streamlit as raw HTML: user text can only be shown through Markdown
(escaped with core.text) or text elements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Files that may render HTML of their own, each reviewed: no user text reaches them.
REVIEWED = {
    "pages/widgets/session_cookie.py": "a script that writes the session cookie (a token)",
    "pages/widgets/page_style.py": "a constant style sheet (the page margins), no text at all",
}
SOURCES = sorted(
    path
    for path in [ROOT / "app.py", *(ROOT / "pages").rglob("*.py")]
    if str(path.relative_to(ROOT)) not in REVIEWED
)
#: Streamlit calls that take raw HTML: ``st.html`` and ``components.v1.html`` / ``iframe``.
_RAW_HTML_CALLS = {"html", "iframe"}


def _raw_html_uses(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                # Only a literal False is safe: a variable could be True some day.
                allowed = isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                if keyword.arg == "unsafe_allow_html" and not allowed:
                    found.append(f"line {node.lineno}: unsafe_allow_html")
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _RAW_HTML_CALLS:
                found.append(f"line {node.lineno}: .{func.attr}(...)")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "streamlit.components"
        ):
            names = {alias.name for alias in node.names}
            if names & (_RAW_HTML_CALLS | {"v1"}):
                found.append(f"line {node.lineno}: import from {node.module}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_page_renders_raw_html(path: Path) -> None:
    assert _raw_html_uses(ast.parse(path.read_text(), filename=str(path))) == []


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_each_reviewed_file_exists_and_renders_html_once(name: str) -> None:
    path = ROOT / name
    assert len(_raw_html_uses(ast.parse(path.read_text(), filename=name))) == 1


@pytest.mark.parametrize(
    "source",
    [
        "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)",
        "st.caption(text, unsafe_allow_html=allow)",
        "st.html(label)",
        "components.html(label)",
        "from streamlit.components.v1 import html",
    ],
)
def test_the_check_finds_raw_html(source: str) -> None:
    assert _raw_html_uses(ast.parse(source))


def test_the_check_allows_escaped_markdown() -> None:
    assert not _raw_html_uses(
        ast.parse("st.markdown(markdown_literal(x), unsafe_allow_html=False)")
    )
