"""JSON log lines (settings.LOGGING uses JsonFormatter when WAYPOINT_LOG_FORMAT is json).

Only known fields are written: time, level, logger, message, and the request fields that
request_log.py sets. Anything else a library attaches to a record (Django adds the whole
request to error records) is left out, so a record can never carry a form field, cookie
or header into the log by accident.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from typing import Any, Final

# A request's fields, and a task's (worker/task_log.py): its name and id instead of a route.
_REQUEST_FIELDS: Final = (
    "request_id",
    "method",
    "route",
    "task",
    "task_id",
    "status",
    "duration_ms",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        if getattr(record, "coarse_time", False):
            moment = moment.replace(minute=0, second=0, microsecond=0)
            time_text = moment.strftime("%Y-%m-%dT%H:00Z")
        else:
            time_text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        line: dict[str, Any] = {
            "time": time_text,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _REQUEST_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = exception_outline(record.exc_info[1])
        return json.dumps(line, ensure_ascii=True, separators=(",", ":"))


def exception_outline(error: BaseException) -> str:
    """Where an exception was raised and its type, never its message (which may quote
    the data that caused it) or any local variable."""
    summary = traceback.TracebackException.from_exception(error, capture_locals=False)
    frames = "".join(summary.stack.format())
    kind = type(error)
    return f"{frames}{kind.__module__}.{kind.__qualname__}"


class PlainFormatter(logging.Formatter):
    """The development format, with the request fields appended when present."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = [f"{n}={getattr(record, n)}" for n in _REQUEST_FIELDS if hasattr(record, n)]
        return f"{text} {' '.join(fields)}" if fields else text
