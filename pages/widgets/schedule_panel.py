"""A workflow's cron schedule in the Run view: when it fires next, pause or resume, run now."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkflowBuilderError
from core.schedules import ScheduleService, ScheduleStatus
from core.services import UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.services import offer


def schedule_panel(services: UserServices, workflow_name: str) -> None:
    """The schedule the active version's cron trigger set up; nothing when there is none."""
    try:
        status = services.schedules.status(workflow_name)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"Cannot read the schedule: {error}"), icon=":material/error:")
        return
    if status is None:
        return
    with st.container(border=True):
        st.markdown(schedule_line(status))
        if status.paused:
            st.caption("Paused: no scheduled run starts until it is resumed.")
        elif status.upcoming:
            st.caption(
                "Next runs: " + ", ".join(f"{t:%a %d %b %H:%M} UTC" for t in status.upcoming)
            )
        if not offer(ScheduleService.pause):
            return
        toggle_col, fire_col, _ = st.columns([1, 1, 3])
        with toggle_col:
            if status.paused:
                clicked = st.button("Resume", icon=":material/play_circle:", key="schedule_resume")
                action = services.schedules.resume
            else:
                clicked = st.button("Pause", icon=":material/pause_circle:", key="schedule_pause")
                action = services.schedules.pause
        with fire_col:
            fire = st.button(
                "Run now",
                icon=":material/bolt:",
                help="Start one scheduled run at once (its input fields take their defaults)",
                key="schedule_fire",
            )
        try:
            if clicked:
                action(workflow_name)
                st.rerun()
            if fire:
                services.schedules.fire_now(workflow_name)
                st.toast(
                    "Scheduled run started; it appears under Recent runs.", icon=":material/bolt:"
                )
        except WorkflowBuilderError as error:
            st.error(markdown_literal(str(error)), icon=":material/error:")


def schedule_line(status: ScheduleStatus) -> str:
    """The schedule's cron, state, target type and count of runs, as one Markdown line."""
    badge = ":orange-badge[paused]" if status.paused else ":green-badge[active]"
    runs = "1 run so far" if status.fired == 1 else f"{status.fired} runs so far"
    cron, target = markdown_code(status.cron), markdown_code(status.workflow_type)
    return f"**Schedule** {cron} (UTC) {badge} · starts {target} · {runs}"
