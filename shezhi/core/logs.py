"""Log records carry the request id (pure: no Django import, so logging can load it early)."""

import logging
import re
import uuid
from typing import Any

import pythonjsonlogger.json

from shezhi.core.request_context import current_request_id

# What an id from outside (nginx's $request_id, another service) may look like: short, and
# nothing that could forge a log line or a header.
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def clean_request_id(incoming: str | None) -> str:
    """The incoming X-Request-ID when it is safe to log and echo, else a new random id."""
    if incoming and _SAFE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object a line, with the time in UTC (ISO 8601) and without Django's `request`
    attribute, whose text holds the query string (a searched name, for instance)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("timestamp", "time")
        super().__init__(*args, **kwargs)

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop("request", None)
