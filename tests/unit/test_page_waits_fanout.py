"""The builder's inspector for a wait-for-any-signal node (its signals one per line) and a
parallel for-each (its limit)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.unit.console import in_builder, saved_draft
from tests.unit.test_page_forms import _select


def test_the_wait_any_inspector_lists_its_signals_one_per_line(console: AppTest):
    app = in_builder(console, example="approve_or_reject", name="decision")
    key = _select(app, "wait")
    signals = app.text_area(key=f"{key}.signals")
    assert signals.value == "approve\nreject"
    signals.input("reject\napprove").run()
    assert not app.exception
    wait = next(node for node in saved_draft(app)["nodes"] if node["id"] == "wait")
    assert wait["params"]["signals"] == ["reject", "approve"]


def test_the_parallel_for_each_inspector_edits_its_limit(console: AppTest):
    app = in_builder(console, example="parallel_foreach", name="shouts")
    key = _select(app, "each")
    limit = app.number_input(key=f"{key}.limit")
    assert limit.value == 3
    limit.set_value(7).run()
    assert not app.exception
    each = next(node for node in saved_draft(app)["nodes"] if node["id"] == "each")
    assert each["params"]["limit"] == 7
