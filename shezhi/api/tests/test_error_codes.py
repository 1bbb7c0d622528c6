"""Each operation lists in the OpenAPI schema the error codes it may answer, under the status
each comes with, and answers no other domain error (the check in api/errors.py)."""

import pytest
from django.test import Client

from shezhi.api import errors
from shezhi.api.tests.conftest import ApiClient
from shezhi.core.errors import Conflict, ErrorCode
from shezhi.needs import services as need_services

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture
def schema(db) -> dict:
    return Client().get("/api/schema/").json()


def _error_codes(operation: dict) -> dict[str, list[str]]:
    return {
        status: answer["content"]["application/json"]["schema"]["properties"]["code"]["enum"]
        for status, answer in operation["responses"].items()
        if int(status) >= 400
    }


def test_every_write_operation_declares_its_error_codes(schema):
    writes = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in WRITES
    ]
    assert len(writes) > 90
    for path, method, operation in writes:
        where = f"{method.upper()} {path}"
        assert operation["x-error-codes-declared"], f"{where} has no @raises(...)"
        by_status = _error_codes(operation)
        listed = {code for codes in by_status.values() for code in codes}
        assert set(operation["x-error-codes"]) <= listed, where
        assert {"invalid", "forbidden", "unauthenticated"} <= listed, where
        assert by_status["400"][0] and "invalid" in by_status["400"], where


def test_codes_sit_under_their_status(schema):
    accept = _error_codes(schema["paths"]["/api/v1/needs/{need_id}/accept"]["post"])
    assert {"taken", "stale", "clash", "conflict", "illegal_transition"} <= set(accept["409"])
    assert accept["404"] == ["not_found"]
    assert accept["401"] == ["unauthenticated"]
    checkin = _error_codes(schema["paths"]["/api/v1/activities/{activity_id}/checkin"]["post"])
    assert {"bad_token", "token_expired", "outside_geofence"} <= set(checkin["400"])
    assert "already_checked_in" in checkin["409"]
    issue = _error_codes(schema["paths"]["/api/v1/proofs"]["post"])
    assert issue["429"] == ["throttled"] and issue["503"] == ["font_missing"]


def test_an_operation_without_conflicts_documents_no_409(schema):
    me = schema["paths"]["/api/v1/me"]["get"]
    assert "409" not in me["responses"]
    assert "404" not in me["responses"]


def test_an_undeclared_code_is_caught(world, monkeypatch):
    """The agreement check: a code the operation does not declare is recorded (and the API
    tests' autouse fixture fails on it); the client still gets the error."""

    def refuse(**kwargs):
        raise Conflict("测试", code="made_up")

    monkeypatch.setattr(need_services, "need_accept", refuse)
    response = ApiClient(world.bob).post("/needs/1/accept")
    assert response.status_code == 409
    assert response.json()["code"] == "made_up"
    assert errors.UNDECLARED == [("shezhi.api.needs.need_accept", "made_up", 409)]
    errors.UNDECLARED.clear()


def test_a_declared_code_with_the_wrong_status_is_caught(world, monkeypatch):
    def refuse(**kwargs):
        raise Conflict("测试", code=ErrorCode.NOT_FOUND)  # a 404 code answered as 409

    monkeypatch.setattr(need_services, "need_accept", refuse)
    ApiClient(world.bob).post("/needs/1/accept")
    assert errors.UNDECLARED == [("shezhi.api.needs.need_accept", "not_found", 409)]
    errors.UNDECLARED.clear()


def test_a_declared_code_passes(world, monkeypatch):
    def refuse(**kwargs):
        raise Conflict("测试", code="taken")

    monkeypatch.setattr(need_services, "need_accept", refuse)
    response = ApiClient(world.bob).post("/needs/1/accept")
    assert response.json()["code"] == "taken"
    assert errors.UNDECLARED == []
