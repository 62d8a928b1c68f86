"""Outage bookkeeping: backoff between tries, one warning when it starts, one when it ends."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from core.fleet.outage import Outage, error_summary
from core.outages import DATABASE_UNAVAILABLE

REFUSED = OperationalError(
    "SELECT 1", {}, Exception('connection to server at "db" failed: Connection refused\nIs it up?')
)


def test_tries_back_off_up_to_the_cap():
    outage = Outage("heartbeats", first_delay=1.0, max_delay=5.0)
    assert [outage.failed(REFUSED) for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    outage.recovered()
    assert outage.failed(REFUSED) == 1.0  # a new outage starts over


def test_the_log_says_what_waits_and_when_it_is_back(caplog: pytest.LogCaptureFixture):
    outage = Outage("deployment updates of q1", remind_every=3600)
    outage.recovered()  # nothing was down: nothing to say
    with caplog.at_level(logging.WARNING, logger="core.fleet.outage"):
        for _ in range(3):
            outage.failed(REFUSED)
        assert outage.down
        outage.recovered()
    assert [r.getMessage() for r in caplog.records] == [
        'database unavailable (connection to server at "db" failed: Connection refused): '
        "deployment updates of q1 wait for it, retrying with backoff",
        caplog.records[1].getMessage(),
    ]
    assert caplog.records[1].getMessage().startswith("database reachable again after ")
    assert caplog.records[1].getMessage().endswith("s: deployment updates of q1 resumed")
    assert not outage.down
    back = outage.back_for()
    assert back is not None and back >= 0


def test_a_refused_connection_counts_as_unavailable_and_reads_short():
    assert isinstance(REFUSED, DATABASE_UNAVAILABLE)
    assert error_summary(REFUSED) == 'connection to server at "db" failed: Connection refused'
