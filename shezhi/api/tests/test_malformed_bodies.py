"""Walk every operation in the OpenAPI schema and throw bad input at it as a logged-in user:
never a 5xx, always a JSON error body with a message."""

import json
from typing import Any

import pytest
from django.test import Client

from shezhi.needs.tests.factories import NeedFactory

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


def validish(world) -> dict[str, Any]:
    """A value that passes the schema for every body field the API has."""
    return {
        "target_kind": "pool",
        "target_id": world.bob_volunteer.pk,
        "minutes": 30,
        "note": "说明",
        "score": 5,
        "comment": "好",
        "reason": "原因",
        "reopen": False,
        "expected_version": 1,
        "title": "标题",
        "address": "1栋",
        "category": "repair",
        "urgency": "general",
        "description": "描述",
        "source": "phone",
        "resident_id": world.dora_resident.pk,
        "community_id": world.a["community"].pk,
        "contact_phone": "13700001111",
        "name": "王大爷",
        "id_number": "11010519491231002X",
        "grid_id": world.a["grid"].pk,
        "phone": "13700001111",
        "birth_date": "1949-12-31",
        "gender": "M",
        "tag_codes": [],
        "consent_given": True,
        "unit_id": world.a["community"].pk,
        "items": [{"need_id": 1, "target_kind": "pool", "expected_version": 1}],
        "date_from": "2026-01-01",
        "date_to": "2026-01-31",
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
    return {"need_id": str(need.pk), "resident_id": str(world.dora_resident.pk)}


@pytest.fixture
def schema(db):
    return Client().get("/api/schema/").json()


@pytest.mark.parametrize("username", ["alice", "bob", "dora", "charlie"])
def test_every_operation_answers_malformed_bodies_without_5xx(world, targets, schema, username):
    """Alice can do most things, Bob takes orders, Dora ordered, Charlie is the outsider."""
    user = getattr(world, username)
    client = Client()
    client.force_login(user)
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
            url = path.replace("{need_id}", bad_id).replace("{resident_id}", bad_id)
            # A body that would be valid for most operations, so only the id is wrong.
            body = {k: v for k, v in validish(world).items() if k in props}
            response = _send(client, method, url, json.dumps(body))
            assert response.status_code in (400, 404), (method, url, response.content)
            assert response.json()["message"]


def test_every_operation_refuses_anonymous_callers_with_401(world, schema):
    client = Client()
    for path, method, _op in _operations(schema):
        url = path.replace("{need_id}", "1").replace("{resident_id}", "1")
        response = _send(client, method, url, "{}")
        assert response.status_code == 401, (method, url)
        assert response.json()["message"]
