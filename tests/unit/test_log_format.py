"""The log formats and filters on hand-made records, and the settings that choose them."""

from __future__ import annotations

import json
import logging

import pytest
from temporalio.exceptions import ApplicationError

from core.config import ConfigError, load_settings
from core.logs import (
    ExpectedFailureFilter,
    JsonFormatter,
    RunIdsFilter,
    TextFormatter,
    log_context,
)


def record(msg: str, *, exc: BaseException | None = None, **extra: object) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    made = logging.LogRecord(
        "temporalio.activity", logging.WARNING, __file__, 1, msg, None, exc_info
    )
    for name, value in extra.items():
        setattr(made, name, value)
    return made


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 -- any error, with its traceback
        return caught


def filtered(made: logging.LogRecord) -> logging.LogRecord:
    assert RunIdsFilter().filter(made) and ExpectedFailureFilter().filter(made)
    return made


def test_temporal_details_and_context_become_ids():
    details = {
        "workflow_id": "orders-1",
        "workflow_run_id": "r-1",
        "workflow_type": "orders_v12",
        "activity_type": "charge",
        "attempt": 2,
    }
    with log_context(worker_id="w-1", deployment_id=7):
        made = filtered(record("charging", temporal_activity=details))
    line = json.loads(JsonFormatter().format(made))
    assert line == {
        "timestamp": line["timestamp"],
        "level": "WARNING",
        "logger": "temporalio.activity",
        "message": "charging",
        "workflow_id": "orders-1",
        "run_id": "r-1",
        "workflow_type": "orders_v12",
        "version": 12,
        "activity_type": "charge",
        "attempt": 2,
        "deployment_id": 7,
        "worker_id": "w-1",
    }
    text = TextFormatter().format(made)
    assert text.endswith(
        "WARNING temporalio.activity: charging [workflow=orders-1 run=r-1 "
        "workflow_type=orders_v12 version=12 activity_type=charge attempt=2 deployment=7 "
        "worker=w-1]"
    )


def test_an_application_error_is_one_line_and_other_errors_keep_their_traceback():
    expected = filtered(
        record("Completing activity as failed", exc=raised(ApplicationError("no", type="Nope")))
    )
    assert expected.exc_info is None
    assert expected.getMessage() == "Completing activity as failed: Nope: no"

    bug = filtered(record("Completing activity as failed", exc=raised(KeyError("x"))))
    assert bug.exc_info is not None and bug.exc_info[0] is KeyError
    assert "Traceback" in JsonFormatter().format(bug)


def test_log_settings_are_checked():
    settings = load_settings({"WB_LOG_FORMAT": "JSON", "WB_LOG_LEVEL": "debug"})
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    assert load_settings({}).log_format == "text"
    assert load_settings({"WB_METRICS_ADDRESS": "0.0.0.0:9464"}).metrics_address == "0.0.0.0:9464"
    for name, value in (
        ("WB_LOG_FORMAT", "xml"),
        ("WB_LOG_LEVEL", "loud"),
        ("WB_METRICS_ADDRESS", "http://host:9464"),
        ("WB_METRICS_ADDRESS", "host:0"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_settings({name: value})
        assert caught.value.variable == name
