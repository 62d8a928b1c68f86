"""Unexpected errors: a short id for the user, the traceback in the log under that id."""

from __future__ import annotations

import logging
import re

import pytest

from core.error_reports import ID_LENGTH, error_message, new_error_id, report_unexpected


def test_ids_are_short_random_hex():
    ids = {new_error_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(rf"[0-9a-f]{{{ID_LENGTH}}}", error_id) for error_id in ids)


def test_the_log_has_the_traceback_and_the_message_only_the_id(caplog: pytest.LogCaptureFixture):
    try:
        open("/srv/secret/path/config.yaml")  # noqa: SIM115 -- the error is the point
    except OSError as error:
        with caplog.at_level(logging.ERROR, logger="core.error_reports"):
            report = report_unexpected(error, where="page Runs")

    assert report.message == error_message(report.error_id)
    assert report.message == (
        f"Something went wrong (error {report.error_id}); the log has the details."
    )
    assert "/srv" not in report.message and "FileNotFoundError" not in report.message
    (record,) = caplog.records
    assert report.error_id in record.getMessage() and "page Runs" in record.getMessage()
    logged = caplog.text
    assert "Traceback" in logged and "/srv/secret/path/config.yaml" in logged
