"""One logging setup for the app, workers and the command line: text or JSON lines, plus a file.

Records carry the ids of what they are about as attributes: ``workflow_id``, ``run_id``,
``workflow_type``, ``version``, ``activity_type``, ``attempt``, ``deployment_id`` and
``worker_id``. temporalio's ``workflow.logger`` and ``activity.logger`` put the run's
details in ``extra`` (``temporal_workflow`` / ``temporal_activity``); :class:`RunIdsFilter` maps
them, and ids given with ``extra=`` or bound with :func:`log_context` for a block of code.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import logging.handlers
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from temporalio import activity, workflow
from temporalio.exceptions import ApplicationError

from core.config import LogFormat, Settings

#: Where the log file goes, under the data folder.
LOG_FILE = Path("logs") / "workflow-builder.log"
#: Rotation: this many bytes a file, this many old files kept.
LOG_FILE_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUPS = 5

#: The ids a record may carry, in the order text lines show them.
ID_FIELDS = (
    "workflow_id",
    "run_id",
    "workflow_type",
    "version",
    "activity_type",
    "attempt",
    "deployment_id",
    "worker_id",
)
# temporalio's own names for those ids, in ``temporal_workflow`` / ``temporal_activity``.
_TEMPORAL_NAMES = {
    "workflow_id": "workflow_id",
    "run_id": "run_id",
    "workflow_run_id": "run_id",
    "workflow_type": "workflow_type",
    "activity_type": "activity_type",
    "attempt": "attempt",
}
# A deployed workflow's Temporal type ends in its version number (``order_approval_v3``).
_VERSIONED_TYPE = re.compile(r"_v(\d+)$")
# temporalio logs this, with the traceback, for every failed activity attempt.
_ACTIVITY_FAILED = "Completing activity as failed"

_context: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "workflow_builder_log_context", default=None
)


@contextlib.contextmanager
def log_context(**ids: Any) -> Iterator[None]:
    """Attach ids (say ``worker_id=...``) to every record logged in this block (and the tasks
    and threads started with a copy of its context)."""
    token = _context.set({**(_context.get() or {}), **ids})
    try:
        yield
    finally:
        _context.reset(token)


class RunIdsFilter(logging.Filter):
    """Give each record the ids it is about, from temporalio's extras and :func:`log_context`."""

    def filter(self, record: logging.LogRecord) -> bool:
        found: dict[str, Any] = dict(_context.get() or {})
        for key in ("temporal_workflow", "temporal_activity"):
            details = getattr(record, key, None)
            if isinstance(details, Mapping):
                for name, field in _TEMPORAL_NAMES.items():
                    if details.get(name) is not None:
                        found[field] = details[name]
        for name, value in found.items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        workflow_type = getattr(record, "workflow_type", None)
        if getattr(record, "version", None) is None and isinstance(workflow_type, str):
            match = _VERSIONED_TYPE.search(workflow_type)
            if match:
                record.version = int(match.group(1))
        return True


class ExpectedFailureFilter(logging.Filter):
    """An activity that raised ``ApplicationError`` failed as designed (and may be retried):
    one line with the error, not a traceback per attempt."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != _ACTIVITY_FAILED or not record.exc_info:
            return True
        error = record.exc_info[1]
        if isinstance(error, ApplicationError):
            kind = error.type or "ApplicationError"
            record.msg = f"{_ACTIVITY_FAILED}: {kind}: {error.message}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: timestamp, level, logger, message, the ids, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ID_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message [run=... worker=...]`` for a person at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = [
            f"{name.removesuffix('_id')}={getattr(record, name)}"
            for name in ID_FIELDS
            if getattr(record, name, None) is not None
        ]
        if not ids:
            return text
        first, newline, rest = text.partition("\n")
        return f"{first} [{' '.join(ids)}]{newline}{rest}"


def setup_logging(
    settings: Settings | None,
    *,
    default_level: str = "INFO",
    stream: IO[str] | None = None,
) -> None:
    """Log to ``stream`` (stderr) and to the rotating file in the data folder, as configured.

    Safe to call again (a Streamlit rerun, a test): the handlers it installed before are
    replaced, not added to. ``settings`` None (they could not be read) logs text to the stream.
    """
    level = (settings.log_level if settings else None) or default_level
    log_format: LogFormat = settings.log_format if settings else "text"
    formatter = JsonFormatter() if log_format == "json" else TextFormatter()
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    file_error = None
    if settings is not None:
        try:
            handlers.append(_file_handler(settings.data_dir / LOG_FILE))
        except OSError as error:  # a read-only data folder must not stop the process
            file_error = error
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_workflow_builder", False)]:
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RunIdsFilter())
        handler.addFilter(ExpectedFailureFilter())
        handler._workflow_builder = True  # type: ignore[attr-defined]  # marks ours for a rerun
        root.addHandler(handler)
    root.setLevel(level)
    # temporalio appends the run's details to the message text as a dict; both formats show
    # them as ids already, so the message stays what the code said.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
    if file_error is not None:
        logging.getLogger(__name__).warning("not logging to a file: %s", file_error)


def _file_handler(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    return logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
    )
