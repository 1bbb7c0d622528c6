"""PATCH /api/v1/me takes only a JSON object with known, strictly typed fields."""

import json

from django.test import Client


def test_me_patch_refuses_anything_but_an_object_of_known_fields(world):
    c = Client()
    c.force_login(world.dora)
    for body in ([None, None], [], "x", 5, {"elder_mode": "yes"}, {"other": 1}):
        r = c.patch("/api/v1/me", data=json.dumps(body), content_type="application/json")
        assert r.status_code == 400, (body, r.status_code, r.content)
    r = c.patch(
        "/api/v1/me", data=json.dumps({"elder_mode": True}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["elder_mode"] is True
