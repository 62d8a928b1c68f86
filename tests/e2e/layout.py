"""Layout checks run in the browser: labels cut off, words broken across lines, controls that
overlap. Each returns a list of findings, empty when the page is clean."""

from __future__ import annotations

from playwright.sync_api import Page

#: The screen sizes the console must hold at: a 13" laptop, a 15" laptop, a full-HD display.
SCREEN_SIZES = ((1280, 800), (1440, 900), (1920, 1080))

# Text people read as one label: if it is cut or a word of it is split, they misread it.
_LABELS = ", ".join(
    (
        '[data-testid="stMain"] button',
        '[data-testid="stMain"] [role="tab"]',
        '[data-testid="stMain"] [data-testid="stWidgetLabel"]',
        '[data-testid="stMain"] h1, [data-testid="stMain"] h2, [data-testid="stMain"] h3',
        '[data-testid="stMain"] [data-testid="stMetricLabel"]',
        '[data-testid="stMain"] [data-testid="stMetricValue"]',
        '[data-testid="stMain"] [data-testid="stPageLink"]',
        '[data-testid="stSidebarNav"] a',
    )
)

# One script, so the helpers at its top serve both checks. ``shownBox`` is the part of an
# element that can be seen: its box cut by every ancestor that hides what overflows it (a folded
# expander keeps its content, in a box of no height). Scrolling boxes do not cut: what is below
# the fold is still checked.
_CHECKS = """labels => {
  const shownBox = el => {
    if (getComputedStyle(el).visibility === 'hidden') return null;
    let {left, top, right, bottom} = el.getBoundingClientRect();
    for (let up = el.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (![style.overflowX, style.overflowY].some(o => o === 'hidden' || o === 'clip')) continue;
      const box = up.getBoundingClientRect();
      [left, top] = [Math.max(left, box.left), Math.max(top, box.top)];
      [right, bottom] = [Math.min(right, box.right), Math.min(bottom, box.bottom)];
    }
    return right - left > 0 && bottom - top > 0 ? {left, top, right, bottom} : null;
  };
  const shown = el => shownBox(el) !== null;
  const name = el => (el.getAttribute('data-testid') || el.tagName.toLowerCase())
    + ' "' + el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60) + '"';
  const findings = [];
  for (const label of document.querySelectorAll(labels)) {
    if (!shown(label) || !label.textContent.trim()) continue;
    // Cut: the label or any box inside it is narrower than its text (ellipsis, hidden overflow,
    // or text spilling over a neighbour).
    for (const box of [label, ...label.querySelectorAll('*')]) {
      if (box.closest('svg') || !shown(box)) continue;
      if (box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== 'auto') {
        findings.push('cut: ' + name(label));
        break;
      }
    }
    // Broken: one word drawn on two lines ("Deplo / y").
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const word of text.data.matchAll(/[^\\s\\-\\/]{2,}/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) findings.push('word split: "' + word[0] + '" in ' + name(label));
      }
    }
  }
  // Overlap: two controls of different widgets drawn on top of each other.
  const control = el => (el.getAttribute('aria-label') || el.textContent.trim() || el.tagName)
    .slice(0, 40);
  const controls = [...document.querySelectorAll(
    '[data-testid="stMain"] button, [data-testid="stMain"] [role="tab"], '
    + '[data-testid="stMain"] input, [data-testid="stMain"] [data-baseweb="select"]')]
    .filter(shown);
  // Parts of one widget (a date input's field and its calendar button) may overlap.
  const widget = el => el.closest('[data-testid="stElementContainer"]') || el;
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const [a, b] = [controls[i], controls[j]];
      if (widget(a) === widget(b)) continue;
      const p = shownBox(a), q = shownBox(b);
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 2 && h > 2) findings.push('overlap: ' + control(a) + ' / ' + control(b));
    }
  }
  return [...new Set(findings)];
}"""


def layout_findings(page: Page) -> list[str]:
    """What is wrong with the page's layout as drawn now: cut labels, split words, overlaps."""
    findings: list[str] = page.evaluate(_CHECKS, _LABELS)
    return findings
