"""The request id: from nginx (X-Request-ID) or made here, in every log line of the request
(JSON logs) and returned in the response."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings

from shezhi.core.logs import RequestIdFilter, clean_request_id
from shezhi.core.request_context import current_request_id, reset_request_id, set_request_id


def test_a_safe_incoming_id_is_kept():
    assert clean_request_id("7f3c2a9e-1b2c") == "7f3c2a9e-1b2c"


@pytest.mark.parametrize(
    "incoming",
    ["", None, "a" * 129, "abc\ninjected log line", "id with spaces", "<script>", "编号"],
    ids=["empty", "none", "too-long", "newline", "spaces", "markup", "non-ascii"],
)
def test_an_unsafe_incoming_id_is_replaced(incoming):
    made = clean_request_id(incoming)
    assert made != incoming
    assert len(made) == 32 and made.isalnum()


def test_the_response_returns_the_incoming_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-abc123")
    assert response["X-Request-ID"] == "nginx-abc123"
    assert current_request_id() == ""  # reset once the request is answered


def test_each_request_without_one_gets_its_own(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\r\n")["X-Request-ID"]
    assert first and second and first != second
    assert "\n" not in second


def _json_handler(stream: io.StringIO) -> logging.Handler:
    """The console handler exactly as settings.LOGGING builds it with SHEZHI_LOG_FORMAT=json."""
    config = django_settings.LOGGING
    handler = logging.StreamHandler(stream)
    json_formatter = dict(config["formatters"]["json"])
    factory = json_formatter.pop("()")
    assert factory == "shezhi.core.logs.JsonFormatter"
    from shezhi.core.logs import JsonFormatter

    handler.setFormatter(JsonFormatter(**json_formatter))
    handler.addFilter(RequestIdFilter())
    return handler


@pytest.fixture
def json_log():
    stream = io.StringIO()
    handler = _json_handler(stream)
    loggers = [logging.getLogger("shezhi.request"), logging.getLogger("django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_log_lines_of_a_request_are_json_with_its_id(client, json_log):
    client.get("/healthz?name=张三", HTTP_X_REQUEST_ID="req-42")
    client.get("/no/such/page/?q=张三", HTTP_X_REQUEST_ID="req-43")
    lines = json_log()
    access = [line for line in lines if line["logger"] == "shezhi.request"]
    assert [(a["request_id"], a["status"], a["path"]) for a in access] == [
        ("req-42", 200, "/healthz"),
        ("req-43", 404, "/no/such/page/"),
    ]
    assert access[0]["level"] == "INFO" and access[0]["method"] == "GET"
    assert "duration_ms" in access[0]
    assert access[0]["time"].endswith("+00:00")  # ISO 8601, UTC
    # The query string (a searched name, for instance) is not logged.
    assert all("张三" not in json.dumps(line, ensure_ascii=False) for line in lines)
    # Django's own line for the 404 carries the id too, and is written once.
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert [line["request_id"] for line in not_found] == ["req-43"]


def test_records_outside_a_request_have_an_empty_id_and_tasks_can_set_one():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == ""
    token = set_request_id("queued-by-req-7")  # what a task runner does from the envelope
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
        RequestIdFilter().filter(record)
        assert record.request_id == "queued-by-req-7"
    finally:
        reset_request_id(token)


def test_settings_choose_json_or_text_lines():
    handler = django_settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["request_id"]
    assert handler["formatter"] == (
        "json" if django_settings.SHEZHI_LOG_FORMAT == "json" else "text"
    )
    logging.config.dictConfig(django_settings.LOGGING)  # what Django applies at start-up


def test_a_server_error_page_shows_the_start_of_the_id_and_the_log_has_it(
    client, json_log, monkeypatch
):
    """A person who meets the error page can tell the admin a number that finds the lines."""
    from shezhi.core import health

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(health, "JsonResponse", broken)
    client.raise_request_exception = False
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef1234567890")
    assert response.status_code == 500
    assert "问题编号：abcdef12" in response.content.decode()
    errors = [line for line in json_log() if line["logger"] == "django.request"]
    assert [line["request_id"] for line in errors] == ["abcdef1234567890"]
    assert "RuntimeError: boom" in errors[0]["exc_info"]
