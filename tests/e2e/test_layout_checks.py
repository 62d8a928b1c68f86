"""The layout checks themselves, on pages made to break them: each finds what it is for and
nothing on a clean page."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.layout import layout_findings

# Streamlit's own markup, cut down to what the checks look at.
_PAGE = """<div data-testid="stMain" style="font: 16px sans-serif">
  <div data-testid="stElementContainer" style="width: 200px">{body}</div>
  <div data-testid="stElementContainer" style="{second}"><button>Second</button></div>
</div>"""


def _findings(page: Page, body: str, second: str = "") -> list[str]:
    page.set_content(_PAGE.format(body=body, second=second))
    return layout_findings(page)


def test_a_clean_page_has_no_findings(page: Page) -> None:
    assert _findings(page, "<button>Undo</button><h2>Payments</h2>") == []


def test_a_label_cut_with_an_ellipsis_is_found(page: Page) -> None:
    cut = (
        '<button style="width: 40px"><p style="overflow: hidden; text-overflow: ellipsis; '
        'white-space: nowrap">Undo last change</p></button>'
    )
    assert _findings(page, cut) == ['cut: button "Undo last change"']


def test_a_word_split_over_two_lines_is_found(page: Page) -> None:
    split = '<h2 style="width: 60px; overflow-wrap: anywhere">demo_payments</h2>'
    assert 'word split: "demo_payments" in h2 "demo_payments"' in _findings(page, split)


def test_controls_on_top_of_each_other_are_found(page: Page) -> None:
    found = _findings(page, "<button>First</button>", second="margin-top: -20px")
    assert found == ["overlap: First / Second"]


def test_folded_content_is_not_checked(page: Page) -> None:
    folded = (
        '<div style="height: 0; overflow: hidden"><button style="width: 30px">'
        '<p style="overflow: hidden; white-space: nowrap">Try it now</p></button></div>'
    )
    assert _findings(page, folded, second="margin-top: -20px") == []
