"""User text through Markdown: shown literally, and read back as it was."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.text import markdown_code, markdown_literal, markdown_unliteral, plotly_literal

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


def _code_span_text(markdown: str) -> str:
    """What a CommonMark renderer shows for ``markdown`` if it is one whole code span."""
    fence = re.match(r"`+", markdown)
    assert fence is not None, markdown
    n = len(fence.group())
    assert markdown.endswith("`" * n) and len(markdown) >= 2 * n, markdown
    content = markdown[n:-n]
    # No backtick run of the fence's own length inside, so nothing closes the span early.
    assert all(len(run) != n for run in re.findall(r"`+", content)), markdown
    if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
        content = content[1:-1]
    return content


@pytest.mark.parametrize("text", ["order-1", "a`b", "`start", "end`", " spaced ", "``", "   "])
def test_code_span_shows_the_text(text: str) -> None:
    assert _code_span_text(markdown_code(text)) == text


@given(st.text(alphabet=st.characters(blacklist_characters="\n\r"), min_size=1))
def test_any_line_is_one_exact_code_span(text: str) -> None:
    assert _code_span_text(markdown_code(text)) == text


def test_plotly_labels_hold_no_tags():
    # Plotly reads <b>, <a href> and <br> in labels and decodes entities for display.
    assert (
        plotly_literal('<a href="x">go</a> & <br>')
        == '&lt;a href="x"&gt;go&lt;/a&gt; &amp; &lt;br&gt;'
    )
