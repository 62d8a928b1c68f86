"""Temporal's pollers against the registry: a stopped worker's poller is no alarm for a while;
charts count whole workers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from core.fleet.pollers import STOPPED_POLLER_GRACE, Poller, PollerCheck, check_pollers
from pages.widgets.axes import count_axis, count_step

STOP = datetime(2026, 11, 30, 1, 21, 47, tzinfo=UTC)
BEFORE, AFTER = STOP - timedelta(seconds=3), STOP + timedelta(seconds=30)


def _poller(identity: str, last: datetime | None, kind: str = "workflow") -> Poller:
    return Poller(identity=identity, kind=kind, last_access_time=last, build_id=None)


def _check(*pollers: Poller, seconds_after_stop: float, live=("live-1",)) -> PollerCheck:
    return check_pollers(
        pollers,
        live=live,
        stopped={"stopped-1": STOP},
        now=STOP + timedelta(seconds=seconds_after_stop),
    )


def test_a_live_workers_poller_is_neither_warned_of_nor_left_behind():
    assert _check(_poller("live-1", AFTER), seconds_after_stop=1) == PollerCheck((), ())


def test_a_poller_that_has_not_polled_since_the_stop_is_left_behind_however_long_ago():
    # Temporal lists it until about five minutes after its last poll, past the grace.
    for seconds in (1, 170, 190, 299):
        assert _check(_poller("stopped-1", BEFORE), seconds_after_stop=seconds) == PollerCheck(
            (), ("stopped-1",)
        )


def test_a_poller_that_polled_after_the_stop_is_warned_of_once_the_grace_is_over():
    grace = STOPPED_POLLER_GRACE.total_seconds()
    within = _check(_poller("stopped-1", AFTER), seconds_after_stop=grace - 1)
    assert within == PollerCheck((), ("stopped-1",))
    after = _check(_poller("stopped-1", AFTER), seconds_after_stop=grace + 1)
    assert after == PollerCheck(("stopped-1",), ())


def test_without_a_last_poll_time_only_the_grace_decides():
    assert _check(_poller("stopped-1", None), seconds_after_stop=60).left_behind == ("stopped-1",)
    assert _check(_poller("stopped-1", None), seconds_after_stop=600).unregistered == ("stopped-1",)


def test_an_identity_the_registry_does_not_know_is_warned_of_at_once():
    assert _check(_poller("other-tool", BEFORE), seconds_after_stop=0) == PollerCheck(
        ("other-tool",), ()
    )


def test_an_identity_is_warned_of_when_either_of_its_pollers_is_unexplained():
    check = _check(
        _poller("stopped-1", BEFORE, "workflow"),
        _poller("stopped-1", AFTER, "activity"),
        seconds_after_stop=600,
    )
    assert check == PollerCheck(("stopped-1",), ())


def test_count_axes_tick_whole_numbers():
    assert [count_step(n) for n in (0, 1, 3, 8, 9, 16, 17, 40, 41, 80, 81, 400, 401)] == [
        1, 1, 1, 1, 2, 2, 5, 5, 10, 10, 20, 50, 100,
    ]  # fmt: skip
    assert count_axis(2) == {"tick0": 0, "dtick": 1, "tickformat": "d"}


def _workers_chart() -> None:
    from datetime import UTC, datetime, timedelta

    from core.dashboard import WorkerCount
    from pages.widgets.dashboard_charts import workers_over_time

    start = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    workers_over_time(
        [WorkerCount(start + timedelta(minutes=m), "running", 1) for m in range(3)],
        bucket_label="minute",
    )


def test_the_dashboards_workers_chart_counts_whole_workers():
    app = AppTest.from_function(_workers_chart).run()
    assert not app.exception
    (chart,) = app.get("plotly_chart")
    figure = json.loads(chart.proto.spec)
    assert (figure["layout"]["yaxis"]["dtick"], figure["layout"]["yaxis"]["tickformat"]) == (1, "d")
