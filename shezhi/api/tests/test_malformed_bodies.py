"""Walk every operation in the OpenAPI schema and throw bad input at it as a logged-in user:
never a 5xx, always a JSON error body with a message."""

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shezhi.needs.tests.factories import NeedFactory
from shezhi.volunteers.services import correction_request_file
from shezhi.volunteers.tests.factories import record

HUGE = "长" * 20_000
BAD_BODIES = [
    "this is not json",
    "{",
    "[]",
    "[1, 2, 3]",
    '"just a string"',
    "42",
    "null",
    "true",
    "{}",
    '{"unknown_field": 1}',
    json.dumps({"x": HUGE}),
    "\x00",
]
WRONG_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    2**70,
    1.5,
    "",
    "abc",
    "\x00",
    HUGE,
    [],
    [1, "a", None],
    {"nested": "object"},
]
BAD_IDS = ["987654321", "0", "-1", "abc", "99999999999999999999999999", "1.5", "%00"]


# A value that passes the schema for every body field the API has (ids: validish()).
PLAIN_VALUES: dict[str, Any] = {
    "target_kind": "pool",
    "minutes": 30,
    "note": "说明",
    "service_description": "为社区居民提供陪诊服务",
    "score": 5,
    "comment": "好",
    "reason": "原因",
    "reopen": False,
    "elder_mode": True,
    "expected_version": 1,
    "title": "标题",
    "address": "1栋",
    "category": "repair",
    "urgency": "general",
    "description": "描述",
    "source": "phone",
    "contact_phone": "13700001111",
    "wanted_from": "2030-01-02T09:00:00+08:00",
    "wanted_until": "2030-01-02T10:00:00+08:00",
    "helper_gender": "",
    "home_visit": True,
    "hazardous": False,
    "sms_notices": False,
    "name": "王大爷",
    "id_number": "11010519491231002X",
    "phone": "13700001111",
    "birth_date": "1949-12-31",
    "gender": "M",
    "tag_codes": [],
    "consent_given": True,
    "items": [{"need_id": 1, "target_kind": "pool", "expected_version": 1}],
    "date_from": "2026-01-01",
    "date_to": "2026-01-31",
    # volunteers, service records, corrections, teams (shezhi/api/volunteers/)
    "consent_version": "2026-01",
    "skills": ["repair"],
    "skill_levels": {"repair": 4},
    "service_categories": ["elderly"],
    "languages": ["普通话"],
    "political_status": "masses",
    "availability": [{"weekday": 5, "start": "09:00", "end": "11:00"}],
    "certificates": [{"kind": "nurse", "number": "N1", "expires_on": "2030-01-01"}],
    "guardian_consent": False,
    "guardian_name": "",
    "guardian_phone": "",
    "guardian_relation": "",
    "content": "内容",
    "organiser": "组织单位",
    "day": "2026-01-02",
    "grantor": "街道",
    "place": "活动室",
    "person_in_charge": "王主任",
    "service_date": "2026-01-02",
    "started_at": "2026-01-02T09:00:00+08:00",
    "ended_at": "2026-01-02T10:00:00+08:00",
    "beneficiary": "张大爷",
    "quality_rating": 5,
    "record_id": 1,
    "changes": {"place": "别处"},
    "approve": False,
    "kind": "general",
    "charter": "章程",
    "role": "member",
    # time bank (shezhi/api/timebank.py)
    "amount": "1.5",
    "service": "上门理发",
    "need_id": 1,
    "to_account_id": 1,
    "relation": "parent",
    "evidence": "户口簿",
    # activities (shezhi/api/activities/)
    "join_waitlist": True,
    "risk_acknowledged": True,
    "token": "not-a-token",
    "latitude": 30.55,
    "longitude": 114.3,
    "at": "2026-01-02T09:00:00+08:00",
    "stars": 5,
    "headcount": 3,
    "confirm": True,
    "sms": True,
    "tags": [],
    "risk_levels": [],
    "venue": "社区活动室",
    "starts_at": "2030-01-02T09:00:00+08:00",
    "ends_at": "2030-01-02T11:00:00+08:00",
    "positions": [{"name": "引导员", "quota": 2}],
    "station_id": None,
    "checkin_radius_m": 200,
    "risk_statement": "",
    "scope": "unit",
    "scope_team_id": None,
    "requires_approval": False,
    "cancel_cutoff_hours": 24,
    "beneficiaries_headcount": 0,
    # care (shezhi/api/care/)
    "visited_on": "2026-01-02",
    "contact_made": True,
    "mode": "home",
    "checklist": {"health": "ok"},
    "notes": {"health": "说明"},
    "risk_level": "",
    "risk_reasons": "",
    "need": None,
    # casework (shezhi/api/cases.py)
    "on": "2026-01-02",
    "form": "office",
    "duration_minutes": 30,
    "goal_id": None,
    "to_status": "assessment",
    "institution_kind": "hospital",
    "institution_name": "市精神卫生中心",
    "contact": "王医生",
    "direction": "out",
    "answer": "已接诊",
    "step": "safety",
    # casework writes at parity with the desk (shezhi/api/cases.py)
    "problem_type": "family",
    "client_consent": True,
    "alert_id": None,
    "opened_on": "2026-01-02",
    "referral_reason": "",
    "presenting_problem": "主要问题",
    "family_support": "",
    "health": "",
    "risks": "",
    "strengths": "",
    "narrative": "",
    "assessed_on": None,
    "summary": "",
    "goals": [],
    "kinds": ["dibao"],
    "visit_id": None,
    "status": "submitted",
    "reviewed_on": None,
    "outcome": "partly",
    "outcome_note": "",
    "closed_on": None,
    "follow_up_on": None,
    "goal_statuses": [],
    "ended_on": None,
    "case_id": 1,
    "hours": 2,
    "text": "督导意见",
    "policy_no": "PA-2026-001",
    "insurer": "某保险公司",
    "valid_from": "2026-01-01",
    "valid_to": "2026-12-31",
    "safety_plan": "安全计划",
    # care writes at parity with the desk (shezhi/api/care/)
    "major_change": "",
    "started_on": None,
    "reported_to": "派出所",
    "reported_at": None,
    # data-rights requests (shezhi/api/privacy.py)
    "details": "哪项信息有误、正确内容",
    "accept": True,
    # reports (shezhi/api/reports.py)
    "value": "2026-11",
    "revision": 1,
}


def validish(world) -> dict[str, Any]:
    """PLAIN_VALUES with the ids of the world's objects."""
    return {
        **PLAIN_VALUES,
        "target_id": world.bob_volunteer.pk,
        "resident_id": world.dora_resident.pk,
        "community_id": world.a["community"].pk,
        "grid_id": world.a["grid"].pk,
        "unit_id": world.a["community"].pk,
        "compound_id": world.a["compound"].pk,
        "dual_report_community_id": world.a["community"].pk,
        "volunteer_id": world.bob_volunteer.pk,
        "organiser_unit_id": world.a["community"].pk,
        "team_id": world.team.pk,
        "leader_id": world.bob_volunteer.pk,
        "guide_id": world.alice.pk,
        "relative_volunteer_id": world.erin_volunteer.pk,
        "relative_resident_id": world.dora_resident.pk,
        "volunteer_ids": [world.bob_volunteer.pk],
        "scope_unit_id": world.a["community"].pk,
        "client_id": world.dora_resident.pk,
        "user_id": world.bob.pk,
        "contact_id": world.gina.pk,
    }


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "put", "delete")
    ]


def _body_properties(schema: dict, op: dict) -> dict[str, dict]:
    content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    node = content.get("schema", {})
    for option in node.get("anyOf", [node]):
        ref = option.get("$ref")
        if ref:
            return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]].get("properties", {})
    return {}


def _query_names(op: dict) -> list[str]:
    return [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]


def _assert_clean_error(response, label: str) -> None:
    assert response.status_code < 500, label
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and body.get("message"), (label, body)


def _send(client: Client, method: str, url: str, raw: str):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data=raw, content_type="application/json")


@pytest.fixture
def targets(world):
    """Ids that exist and are in Alice's scope, so bodies reach the services."""
    need = NeedFactory(resident=world.dora_resident, created_by=world.dora)
    rec = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=timezone.localdate() - timedelta(days=1),
    )
    correction = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"place": "别处"}, reason="记错了"
    )
    return {
        "need_id": str(need.pk),
        "resident_id": str(world.dora_resident.pk),
        "volunteer_id": str(world.bob_volunteer.pk),
        "record_id": str(rec.pk),
        "request_id": str(correction.pk),
        "team_id": str(world.team.pk),
    }


# Path ids whose routers answer 404 for an id that does not exist (the other ids stay literal).
CHECKED_IDS = {
    "need_id",
    "resident_id",
    "volunteer_id",
    "record_id",
    "request_id",
    "team_id",
    "position_id",
    "signup_id",
    "activity_id",
    "photo_id",
    "account_id",
    "deposit_id",
    "job_id",
    "alert_id",
    "case_id",
    "referral_id",
    "crisis_id",
    "task_id",
    "member_id",
    "grant_id",
    "assignment_id",
    "campaign_id",
    "stop_id",
    "report_id",
}

# Operations open to anyone, like the public page they mirror (the proof QR code's page).
PUBLIC = {
    ("get", "/api/v1/proofs/{proof_no}/verify"),
    ("post", "/api/v1/proofs/{proof_no}/verify"),
    ("post", "/api/v1/proofs/verify-file"),
}


def _with_ids(path: str, value: str, only: set[str] | None = None) -> str:
    """The path with its `{…_id}` parameters (or only those named) replaced by `value`."""
    return re.sub(
        r"\{(\w+_id)\}",
        lambda m: value if only is None or m.group(1) in only else m.group(0),
        path,
    )


@pytest.fixture(autouse=True)
def _cookie_sessions(settings):
    """Thousands of requests here: keep the session in a signed cookie rather than loading it
    from the database on every one (about a fifth of each request's cost). What is tested, the
    answer to bad input, does not depend on where the session is kept."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


@pytest.fixture
def schema(db):
    return Client().get("/api/schema/").json()


@pytest.mark.parametrize("username", ["alice", "bob", "dora", "charlie"])
def test_every_operation_answers_malformed_bodies_without_5xx(world, targets, schema, username):
    """Alice can do most things, Bob takes orders, Dora ordered, Charlie is the outsider."""
    user = getattr(world, username)
    client = Client()
    client.force_login(user)
    # The log-in must hold (a signed-cookie session here), or every answer would be a plain 401.
    assert client.get("/api/v1/me").json()["username"] == user.username
    operations = _operations(schema)
    assert len(operations) >= 20
    for path, method, op in operations:
        url = path
        for name, value in targets.items():
            url = url.replace("{" + name + "}", value)
        if method != "get":
            for raw in BAD_BODIES:
                _assert_clean_error(_send(client, method, url, raw), f"{method} {url} {raw[:30]}")
            props = _body_properties(schema, op)
            base = {k: v for k, v in validish(world).items() if k in props}
            assert set(base) == set(props), f"add the new fields of {path} to validish()"
            for prop in props:
                for value in WRONG_VALUES:
                    raw = json.dumps({**base, prop: value})
                    _assert_clean_error(
                        _send(client, method, url, raw), f"{method} {url} {prop}={value!r:.30}"
                    )
        for name in _query_names(op):
            for value in ("abc", "-1", "1e999", HUGE[:5000], "\x00", ""):
                response = client.get(url, {name: value})
                _assert_clean_error(response, f"GET {url}?{name}={value[:20]}")


def test_every_operation_answers_unknown_and_malformed_ids_with_404(world, schema):
    client = Client()
    client.force_login(world.alice)
    for path, method, op in _operations(schema):
        if "{" not in path:
            continue
        props = _body_properties(schema, op)
        for bad_id in BAD_IDS:
            url = _with_ids(path, bad_id, CHECKED_IDS)
            # A body that would be valid for most operations, so only the id is wrong.
            body = {k: v for k, v in validish(world).items() if k in props}
            response = _send(client, method, url, json.dumps(body))
            if response.status_code == 403:
                # Refused for who the caller is (e.g. not a volunteer), whatever the id: that
                # leaks nothing about which ids exist.
                other = _send(client, method, _with_ids(path, "1", CHECKED_IDS), json.dumps(body))
                assert other.json() == response.json(), (method, url)
                continue
            assert response.status_code in (400, 404), (method, url, response.content)
            assert response.json()["message"]


def test_every_operation_refuses_anonymous_callers_with_401(world, schema):
    client = Client()
    for path, method, _op in _operations(schema):
        url = _with_ids(path, "1")
        response = _send(client, method, url, "{}")
        if (method, path) in PUBLIC:
            assert response.status_code in (400, 404), (method, url)
            continue
        assert response.status_code == 401, (method, url)
        assert response.json()["message"]
