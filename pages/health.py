"""Health: the database, Temporal, workers, schedules and run monitor, each with its next step."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from core.health import Check, Status
from pages.widgets.services import user_services
from pages.widgets.temporal import temporal_ready

_BADGES: dict[Status, tuple[str, Literal["green", "orange", "red"], str]] = {
    Status.OK: ("ok", "green", ":material/check_circle:"),
    Status.DEGRADED: ("degraded", "orange", ":material/warning:"),
    Status.DOWN: ("down", "red", ":material/error:"),
}
_OVERALL = {
    Status.OK: "Everything is healthy.",
    Status.DEGRADED: "Something needs attention: see the next step of each check below.",
    Status.DOWN: "Part of the system is down: see the next step of each check below.",
}


def _check(check: Check) -> None:
    label, colour, icon = _BADGES[check.status]
    with st.container(border=True):
        name_col, body_col = st.columns([1, 4], vertical_alignment="top")
        name_col.markdown(f"**{check.name.capitalize()}**")
        name_col.badge(label, color=colour, icon=icon)
        body_col.text(check.finding)
        if check.next_step:
            body_col.text(f"Next: {check.next_step}")


services = user_services()
st.title("Health")
st.caption("The same checks as `python -m core health`, run with this app's own Temporal client.")
# The app normally runs with Temporal started; checking before would only find it not started.
temporal_ready(services)
if st.button("Check again", icon=":material/refresh:"):
    st.rerun()
report = services.health()
overall = {
    Status.OK: st.success,
    Status.DEGRADED: st.warning,
    Status.DOWN: st.error,
}[report.status]
overall(_OVERALL[report.status], icon=_BADGES[report.status][2])
for item in report.checks:
    _check(item)
