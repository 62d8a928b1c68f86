"""Runs: every recorded run across workflows, filtered, sorted and paged, with bulk actions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from core.db import ExecutionFilter, ExecutionPage, ExecutionSort, ExecutionStatus, RunTrigger
from core.runs import ANY_RUN
from core.runs.listing import (
    PAGE_SIZES,
    SORT_LABELS,
    RunQuery,
    TimeRange,
    error_preview,
    failed_step,
    page_count,
    run_duration,
    run_link,
    utc_text,
)
from core.runs.presentation import STATUS_BADGES
from core.text import markdown_literal
from pages.widgets.errors import fragment
from pages.widgets.runs_bulk import (
    BULK_PENDING,
    TABLE_GENERATION,
    bulk_buttons,
    bulk_confirmation,
    bulk_outcome,
)
from pages.widgets.services import user_services
from pages.widgets.temporal import temporal_ready

#: Seconds between refreshes of the counts and the table while the page is open.
LIVE_SECONDS = 5.0

COLUMNS = [
    "Run",
    "Workflow",
    "Version",
    "Status",
    "Trigger",
    "Started (UTC)",
    "Duration",
    "Failed step",
    "Error",
]
# Typed lists: mypy reads a bare list(Enum) as possibly empty, so selectbox as maybe None.
RANGES: list[TimeRange] = list(TimeRange)
SORTS: list[ExecutionSort] = list(ExecutionSort)

# Widget keys; the URL's query parameters are written into them when a link is opened.
WORKFLOW = "runs_workflow"
VERSION = "runs_version"
STATUSES = "runs_statuses"
TRIGGERS = "runs_triggers"
RANGE = "runs_range"
DATES = "runs_dates"
SEARCH = "runs_search"
SORT = "runs_sort"
ORDER = "runs_order"
SIZE = "runs_size"
# Not widgets: the page shown, the query it belongs to, and the URL last written.
PAGE = "runs_page"
PAGE_OF = "runs_page_of"
SYNCED = "runs_synced_params"
LINK_DATES = "runs_link_dates"

services = user_services()
st.title("Runs")
if not temporal_ready(services):
    st.stop()
summaries = services.workflows.list()
workflow_ids = {item.name: item.id for item in summaries}
workflow_names = {item.id: item.name for item in summaries}


def _url_params() -> dict[str, str]:
    return {name: ",".join(st.query_params.get_all(name)) for name in st.query_params}


def _show_link(query: RunQuery) -> None:
    """Put a query (from a link just opened) into the widgets; a workflow no longer there
    is dropped with a note."""
    if query.workflow is not None and query.workflow not in workflow_ids:
        st.warning("The link names a workflow that does not exist; showing every workflow.")
    st.session_state[WORKFLOW] = workflow_ids.get(query.workflow or "")
    st.session_state[VERSION] = query.version
    st.session_state[STATUSES] = list(query.statuses)
    st.session_state[TRIGGERS] = list(query.triggers)
    st.session_state[RANGE] = query.time_range
    # The day picker takes a link's days as its value: set through the session state too, it
    # would warn about having two sources.
    st.session_state.pop(DATES, None)
    st.session_state[LINK_DATES] = [day for day in (query.since, query.until) if day]
    st.session_state[SEARCH] = query.search
    st.session_state[SORT] = query.sort
    st.session_state[ORDER] = query.descending
    st.session_state[SIZE] = query.page_size


def _filters() -> RunQuery:
    """The filter widgets; what they show now, as a query."""
    first = st.columns([2, 1, 3, 2])
    chosen = first[0].selectbox(
        "Workflow",
        [None, *workflow_names],
        format_func=lambda item: "All workflows" if item is None else workflow_names[item],
        placeholder="All workflows",
        key=WORKFLOW,
    )
    version = first[1].number_input(
        "Version", min_value=1, step=1, value=None, placeholder="any", key=VERSION
    )
    statuses = first[2].multiselect(
        "Status", list(ExecutionStatus), format_func=_words, placeholder="any", key=STATUSES
    )
    triggers = first[3].multiselect(
        "Trigger", list(RunTrigger), format_func=_words, placeholder="any", key=TRIGGERS
    )
    second = st.columns([1.6, 3, 1.6, 1.5, 1.1])
    time_range = second[0].selectbox(
        "Started", RANGES, format_func=lambda item: item.label, key=RANGE
    )
    search = second[1].text_input("Search", placeholder="workflow id prefix or run id", key=SEARCH)
    sort = second[2].selectbox("Sort by", SORTS, format_func=SORT_LABELS.__getitem__, key=SORT)
    descending = second[3].selectbox(
        "Order",
        [True, False],
        format_func=lambda item: "Descending" if item else "Ascending",
        key=ORDER,
    )
    size = second[4].selectbox("Per page", PAGE_SIZES, key=SIZE)
    days: tuple[date, ...] = ()
    if time_range is TimeRange.CUSTOM:
        picked = st.date_input(
            "Days (UTC): first and last",
            value=st.session_state.get(LINK_DATES, []),
            key=DATES,
            format="YYYY-MM-DD",
            width=300,
        )
        days = tuple(picked)  # a range picker: no day, the first, or both
    return RunQuery(
        workflow=workflow_names.get(chosen) if chosen is not None else None,
        version=int(version) if version is not None else None,
        statuses=tuple(statuses),
        triggers=tuple(triggers),
        time_range=time_range,
        since=days[0] if days else None,
        until=days[1] if len(days) > 1 else None,
        search=search,
        sort=sort,
        descending=descending,
        page_size=size,
    )


def _words(item: ExecutionStatus | RunTrigger) -> str:
    return item.value.replace("_", " ")


def _counts_line(counts: dict[ExecutionStatus, int], shown: tuple[ExecutionStatus, ...]) -> str:
    """Runs per status under the other filters; statuses the status filter leaves out are grey."""
    matching = sum(n for status, n in counts.items() if not shown or status in shown)
    badges = [
        f":{STATUS_BADGES[status] if not shown or status in shown else 'gray'}-badge"
        f"[{_words(status)} {counts[status]}]"
        for status in ExecutionStatus
        if counts.get(status)
    ]
    return " ".join([f"**{matching} run(s)**", *badges])


def _columns(page: ExecutionPage) -> list[str]:
    """The table's columns; the failure ones only when a run on the page failed (the table is
    wider than a laptop's screen with them)."""
    failures = any(record.failed_node_id or record.error for record in page.items)
    return [name for name in COLUMNS if failures or name not in ("Failed step", "Error")]


def _table(page: ExecutionPage, now: datetime) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Run": run_link(record.workflow_id, record.run_id),
                "Workflow": workflow_names.get(record.definition_id or 0, record.workflow_type),
                "Version": record.version,
                "Status": _words(record.status),
                "Trigger": _words(record.trigger) if record.trigger else "",
                "Started (UTC)": utc_text(record.start_time),
                "Duration": run_duration(record, now),
                "Failed step": failed_step(record),
                "Error": error_preview(record.error),
            }
            for record in page.items
        ],
        columns=COLUMNS,
    )


def _runs(query: RunQuery, definition_id: int | None, live: bool) -> None:
    """Counts per status, one page of runs, paging and bulk actions: redrawn on their own."""
    now = datetime.now(UTC)
    filters = query.to_filter(definition_id=definition_id, now=now)
    st.markdown(
        _counts_line(services.console.counts(replace(filters, statuses=None)), query.statuses)
    )
    page_number = st.session_state.get(PAGE, 0)
    page = _fetch(query, filters, page_number)
    pages = page_count(page.total, query.page_size)
    if page_number >= pages:  # the list shrank under this page: show its last one
        page_number = st.session_state[PAGE] = pages - 1
        page = _fetch(query, filters, page_number)
    if not page.items:
        if services.console.counts(ANY_RUN):
            st.info("No runs match these filters.", icon=":material/filter_alt_off:")
        else:
            st.info(
                "No runs yet: start one from the builder's Run tab.", icon=":material/play_circle:"
            )
        return
    shown = st.dataframe(
        _table(page, now),
        hide_index=True,
        width="stretch",
        key=_table_key(query),
        selection_mode="multi-row",
        on_select="rerun",
        column_order=_columns(page),
        column_config={
            "Run": st.column_config.LinkColumn(
                "Run",
                display_text=r"workflow_id=([^&]*)",
                help="Open the run's page",
                width=190,
                pinned=True,
            ),
            "Workflow": st.column_config.TextColumn("Workflow", width=120),
            "Version": st.column_config.NumberColumn("Version", format="v%d", width=60),
            "Status": st.column_config.TextColumn("Status", width=90),
            "Trigger": st.column_config.TextColumn("Trigger", width=70),
            "Started (UTC)": st.column_config.TextColumn("Started (UTC)", width=140),
            "Duration": st.column_config.TextColumn("Duration", width=115),
            "Failed step": st.column_config.TextColumn("Failed step", width=170),
            "Error": st.column_config.TextColumn("Error", width="large"),
        },
    )
    selected = [page.items[row] for row in shown.selection.rows if row < len(page.items)]
    # One run in view (a search for its id) or one selected: a plain link to its page too.
    single = selected[0] if len(selected) == 1 else page.items[0] if page.total == 1 else None
    if single is not None:
        st.page_link(
            "pages/run.py",
            label=markdown_literal(f"Open run {single.workflow_id}"),
            icon=":material/timeline:",
            query_params={"workflow_id": single.workflow_id, "run_id": single.run_id},
        )
    _pager(page_number, pages, page.total)
    bulk_buttons(services.console, selected, filters)
    # Refreshing moves rows under a selection: the page stops refreshing while rows are
    # selected or an action awaits its confirmation, and starts again after (a change of
    # the fragment's refresh needs the whole page redrawn).
    if live != _should_be_live(selected=bool(shown.selection.rows)):
        st.rerun(scope="app")


def _should_be_live(*, selected: bool) -> bool:
    return not selected and BULK_PENDING not in st.session_state


def _fetch(query: RunQuery, filters: ExecutionFilter, page_number: int) -> ExecutionPage:
    return services.console.page(
        filters,
        page=page_number,
        page_size=query.page_size,
        sort=query.sort,
        descending=query.descending,
    )


def _pager(page_number: int, pages: int, total: int) -> None:
    back, where, forward = st.columns([1, 3, 1], vertical_alignment="center")
    back.button(
        "Previous",
        icon=":material/chevron_left:",
        disabled=page_number == 0,
        on_click=_turn_to,
        args=(page_number - 1,),
        width="stretch",
    )
    where.markdown(f"Page {page_number + 1} of {pages} ({total} runs)")
    forward.button(
        "Next",
        icon=":material/chevron_right:",
        disabled=page_number + 1 >= pages,
        on_click=_turn_to,
        args=(page_number + 1,),
        width="stretch",
    )


def _turn_to(page_number: int) -> None:
    st.session_state[PAGE] = page_number


def _table_key(query: RunQuery) -> str:
    # A new key for each page, query or finished action: a row selection never carries
    # over to other rows.
    generation = st.session_state.get(TABLE_GENERATION, 0)
    return f"runs_table_{hash((query, st.session_state.get(PAGE, 0), generation))}"


url = _url_params()
# A link was opened, or the page entered afresh (its widgets' values were dropped on leaving).
if url != st.session_state.get(SYNCED) or WORKFLOW not in st.session_state:
    _show_link(RunQuery.from_params(url))
query = _filters()
params = query.to_params()
if params != url:
    st.query_params.from_dict(params)
st.session_state[SYNCED] = params
# A query of its own starts on its first page.
if st.session_state.get(PAGE_OF) != query:
    st.session_state[PAGE_OF] = query
    st.session_state[PAGE] = 0

bulk_outcome()
bulk_confirmation(services.console)
# The table's selection state is a dict (attribute access too, in a real session).
table = st.session_state.get(_table_key(query)) or {}
live = _should_be_live(selected=bool(table.get("selection", {}).get("rows")))
fragment(run_every=LIVE_SECONDS if live else None)(_runs)(
    query, workflow_ids.get(query.workflow or ""), live
)
