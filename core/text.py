"""User text shown through Markdown renderers as the literal text it is, never as markup."""

from __future__ import annotations

import html
import re

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it leaves no
# emphasis, link, image, code, heading, table or math ($, for KaTeX) to be made of user text.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_literal(text: str) -> str:
    """``text`` as Markdown that renders as exactly ``text``.

    HTML special characters become entities first (renderers that allow raw HTML, like the
    canvas component's, then show them as characters, not tags); every other ASCII punctuation
    mark is backslash-escaped. Line breaks are kept.
    """
    escaped = html.escape(text, quote=False)
    # The entities' own & and ; must stay unescaped for the renderer to read them.
    parts = re.split(r"(&(?:amp|lt|gt);)", escaped)
    return "".join(
        part if i % 2 else _PUNCTUATION.sub(r"\\\1", part) for i, part in enumerate(parts)
    )


def markdown_unliteral(markdown: str) -> str:
    """The text :func:`markdown_literal` made ``markdown`` from (also plain text unchanged)."""
    return html.unescape(_ESCAPED.sub(r"\1", markdown))


def markdown_code(text: str) -> str:
    """``text`` as an inline code span that shows exactly ``text`` (ids, crons, values).

    The fence is one backtick longer than the longest run of backticks in ``text``, so none can
    close it early; spaces pad a text that starts or ends with a backtick or a space (CommonMark
    strips one space from each side of such a span).
    """
    if not text:
        return ""
    runs = re.findall(r"`+", text)
    fence = "`" * (max((len(run) for run in runs), default=0) + 1)
    padded = text.strip(" ") and (text[0] in "` " or text[-1] in "` ")
    pad = " " if padded else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plotly_literal(text: str) -> str:
    """``text`` for a Plotly label (axis category, hover name), shown as exactly ``text``.

    Plotly reads a few HTML tags in labels (``<b>``, ``<a href>``, ``<br>``) and drops other
    tags' markup; entities make every ``<`` a character, and Plotly decodes them for display.
    """
    return html.escape(text, quote=False)
