"""User text through Markdown: shown literally, and read back as it was."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.text import markdown_literal, markdown_unliteral

PAYLOADS = [
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` [link](http://example.com) ![img](http://example.com/x.png)",
    "# heading\n- item\n| a | b |",
    "$x^2$ and \\(math\\)",
    "AT&T &lt;not an entity&gt;",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_is_escaped(payload: str) -> None:
    literal = markdown_literal(payload)

    assert "<" not in literal and ">" not in literal
    assert "](" not in literal  # no link or image can form
    assert markdown_unliteral(literal) == payload


@given(st.text())
def test_any_text_reads_back_unchanged(text: str) -> None:
    assert markdown_unliteral(markdown_literal(text)) == text
