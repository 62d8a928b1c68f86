"""Offline in Chromium: over every page of the console, the browser asks no host but the
console's own (favicon, fonts, scripts, the canvas component all come from it)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import Page, Request, expect

from tests.e2e.steps import APP_IDLE, PAGES, TIMEOUT_MS, create_from_example

CONSOLE_HOSTS = {"127.0.0.1", "localhost"}
#: Schemes that never leave the browser.
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-extension"}
#: Pages create_from_example has shown (Home, Workflows, Builder with its canvas).
ALREADY_SHOWN = {"Home", "Workflows", "Builder"}


def test_every_page_asks_only_the_consoles_own_host(page: Page, streamlit_app: str) -> None:
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    # The context sees every request: the page's, its iframes' (the canvas) and its workers'.
    page.context.on("request", record)
    page.on("websocket", lambda socket: requested.append(socket.url))
    create_from_example(page, streamlit_app, example="approval_signal", name="offline_check")
    for view in ("Code", "Versions", "Run"):
        page.locator(".st-key-builder_view").get_by_text(view, exact=True).click()
        page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)
    nav = page.get_by_test_id("stSidebarNav")
    for title in PAGES:
        if title in ALREADY_SHOWN:
            continue
        link = nav.get_by_role("link", name=re.compile(f"{title}$"))
        address = link.get_attribute("href") or ""
        link.click()
        # The page's own path: a click landing mid-run can carry the last page's parameters.
        expect(page).to_have_url(re.compile(re.escape(address) + r"(\?.*)?$"), timeout=TIMEOUT_MS)
        page.locator(APP_IDLE).wait_for(timeout=TIMEOUT_MS)

    outside = sorted(
        {
            url
            for url in requested
            if urlparse(url).scheme not in LOCAL_SCHEMES
            and urlparse(url).hostname not in CONSOLE_HOSTS
        }
    )
    assert outside == []
    assert len(requested) > 20  # the log did see the pages load
    favicon = page.locator('link[rel~="icon"]').first.get_attribute("href") or ""
    assert favicon.startswith("data:image/svg+xml"), favicon[:80]
