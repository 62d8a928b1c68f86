"""The README's configuration table is the one core/config.py documents."""

from __future__ import annotations

from pathlib import Path

from core.config import environment_variables_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_configuration_table_is_current():
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- config-table")
    start = text.index("\n", start) + 1
    end = text.index("<!-- /config-table -->")
    assert text[start:end].strip() == environment_variables_markdown().strip(), (
        "README.md's configuration table is out of date; paste the output of .venv/bin/python "
        "-c 'from core.config import environment_variables_markdown as m; print(m())'"
    )
