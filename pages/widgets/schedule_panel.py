"""A workflow's cron schedule in the Run view: when it fires next, pause or resume, run now."""

from __future__ import annotations

import streamlit as st

from core.errors import WorkflowBuilderError
from core.executions import RunRef
from core.schedules import ScheduleService, ScheduleStatus
from core.services import UserServices
from core.text import markdown_code, markdown_literal
from pages.widgets.run_actions import run_link
from pages.widgets.services import offer


def schedule_panel(services: UserServices, workflow_name: str) -> RunRef | None:
    """The schedule the active version's cron trigger set up; nothing when there is none.

    Returns:
        The run "Run now" has just started, if it was clicked and Temporal reported the run.
    """
    try:
        status = services.schedules.status(workflow_name)
    except WorkflowBuilderError as error:
        st.error(markdown_literal(f"Cannot read the schedule: {error}"), icon=":material/error:")
        return None
    if status is None:
        return None
    with st.container(border=True):
        st.markdown(schedule_line(status))
        fired_before: RunRef | None = st.session_state.get(_fired_key(workflow_name))
        if fired_before is not None:  # what the last "Run now" started, until the next one
            st.success(
                f"Run now started {markdown_code(fired_before.workflow_id)}.",
                icon=":material/bolt:",
            )
            run_link(
                fired_before.workflow_id,
                fired_before.run_id,
                label="Open its run page",
                icon=":material/timeline:",
            )
        if status.paused:
            st.caption("Paused: no scheduled run starts until it is resumed.")
        elif status.upcoming:
            st.caption(
                "Next runs: " + ", ".join(f"{t:%a %d %b %H:%M} UTC" for t in status.upcoming)
            )
        if not offer(ScheduleService.pause):
            return None
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
            if not fire:
                return None
            fired = services.schedules.fire_now(workflow_name)
        except WorkflowBuilderError as error:
            st.error(markdown_literal(str(error)), icon=":material/error:")
            return None
        if fired is None:
            st.info(
                "Temporal took the request but has not reported the run yet: it appears "
                "under Recent runs once it starts.",
                icon=":material/hourglass_top:",
            )
            return None
        st.session_state[_fired_key(workflow_name)] = fired
        return fired


def schedule_line(status: ScheduleStatus) -> str:
    """The schedule's cron, state, target type and count of runs, as one Markdown line."""
    badge = ":orange-badge[paused]" if status.paused else ":green-badge[active]"
    runs = "1 run so far" if status.fired == 1 else f"{status.fired} runs so far"
    cron, target = markdown_code(status.cron), markdown_code(status.workflow_type)
    return f"**Schedule** {cron} (UTC) {badge} · starts {target} · {runs}"


def _fired_key(workflow_name: str) -> str:
    return f"schedule_fired_{workflow_name}"
