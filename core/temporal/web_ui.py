"""Links into the Temporal Web UI: a configured URL, or the embedded UI at the browser's host."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit


def web_ui_base(*, configured: str | None, embedded: str | None, browser: str | None) -> str | None:
    """The Web UI's base URL as the browser should reach it (None: there is no Web UI to link).

    Args:
        configured: ``WB_TEMPORAL_UI_URL``; used as it is when set.
        embedded: the embedded dev server's UI (``http://127.0.0.1:8233``), None for a cluster.
        browser: the URL (or ``Host`` header) the browser used to reach the console: the
            embedded UI is linked at that host, on its own port, so a console opened from
            another machine does not link to that machine's 127.0.0.1.
    """
    if configured:
        return configured.rstrip("/")
    if embedded is None:
        return None
    host = _hostname(browser)
    ui = urlsplit(embedded)
    if host is None or ui.port is None:
        return embedded.rstrip("/")
    netloc = f"[{host}]:{ui.port}" if ":" in host else f"{host}:{ui.port}"
    return urlunsplit((ui.scheme, netloc, ui.path.rstrip("/"), "", ""))


def run_history_url(base: str, *, namespace: str, workflow_id: str, run_id: str) -> str:
    """The Web UI page with a run's event history."""
    parts = (quote(part, safe="") for part in (namespace, workflow_id, run_id))
    namespace_part, workflow_part, run_part = parts
    return f"{base}/namespaces/{namespace_part}/workflows/{workflow_part}/{run_part}/history"


def _hostname(browser: str | None) -> str | None:
    if not browser or not browser.strip():
        return None
    text = browser.strip()
    # A Host header has no scheme; "//" makes urlsplit read it as a network location.
    return urlsplit(text if "://" in text else f"//{text}").hostname
