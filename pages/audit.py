"""The audit log (admins, read-only): every change, refusal and sign-in, with filters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from core.db import AuditFilter
from pages.widgets.services import user_services

ANY = "(any)"
OUTCOMES = [ANY, "ok", "failed", "denied"]
LIMIT = 1000

audit = user_services().audit

st.title("Audit log")
st.caption("Who did what, to what, when, and how it ended. Nothing here can be edited.")

actors, actions = audit.choices()
actor_col, action_col, outcome_col, days_col = st.columns(4)
actor = actor_col.selectbox("Who", [ANY, *actors], key="audit_actor")
action = action_col.selectbox("Action", [ANY, *actions], key="audit_action")
outcome = outcome_col.selectbox("Outcome", OUTCOMES, key="audit_outcome")
today = datetime.now(UTC).date()
days = days_col.date_input(
    "Between (UTC)", value=(today - timedelta(days=7), today), max_value=today, key="audit_days"
)
first, last = (days[0], days[-1]) if isinstance(days, tuple) and days else (today, today)

entries = audit.entries(
    AuditFilter(
        actor=None if actor == ANY else actor,
        action=None if action == ANY else action,
        outcome=None if outcome == ANY else outcome,
        since=datetime.combine(first, time(), UTC),
        until=datetime.combine(last + timedelta(days=1), time(), UTC),
    ),
    limit=LIMIT,
)
if not entries:
    st.info("No entries match these filters.", icon=":material/filter_alt_off:")
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When (UTC)": f"{entry.at:%Y-%m-%d %H:%M:%S}",
                    "Who": entry.actor,
                    "Action": entry.action,
                    "Target": entry.target,
                    "Outcome": entry.outcome,
                    "Detail": entry.detail,
                }
                for entry in entries
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    if len(entries) == LIMIT:
        st.caption(f"The newest {LIMIT} entries; narrow the filters to see older ones.")
