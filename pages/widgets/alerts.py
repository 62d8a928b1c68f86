"""The banner of open alerts at the top of every page, each with a link to what is behind it."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from core.alerts import Alert, AlertSeverity
from core.text import markdown_literal
from pages.widgets.services import user_services

#: Alerts shown in full; the others wait in an expander so the page stays visible.
SHOWN = 3


def alert_banner() -> None:
    """Show the open alerts (read from the database; nothing is evaluated here)."""
    alerts = user_services().open_alerts()
    if not alerts:
        return
    for alert in alerts[:SHOWN]:
        _show(alert)
    rest = alerts[SHOWN:]
    if rest:
        with st.expander(f"{len(rest)} more open alerts"):
            for alert in rest:
                _show(alert)


def _show(alert: Alert) -> None:
    target = "the workers" if alert.link.startswith("./workers") else "the runs"
    # The link is built by core.alerts; quoting keeps it one Markdown link whatever it holds.
    link = quote(alert.link, safe="./?=&%-_~")
    body = (
        f"**{markdown_literal(alert.title)}**  \n{markdown_literal(alert.detail)}  \n"
        f"Since {alert.first_seen:%Y-%m-%d %H:%M} UTC · [Open {target}]({link})"
    )
    if alert.severity is AlertSeverity.CRITICAL:
        st.error(body, icon=":material/error:")
    else:
        st.warning(body, icon=":material/warning:")
