"""The hazardous flag of a need through the API (audit finding 12)."""


def test_hazardous_flag_through_the_api(as_user, world):
    assert as_user(world.charlie).patch("/needs/1", {"expected_version": 1}).status_code == 404
    alice = as_user(world.alice)
    body = alice.post(
        "/needs",
        {
            "category": "repair",
            "urgency": "general",
            "description": "更换楼道灯",
            "resident_id": world.dora_resident.pk,
            "hazardous": True,
        },
    ).json()
    assert body["hazardous"] is True
    changed = alice.patch(
        f"/needs/{body['id']}", {"expected_version": body["version"], "hazardous": False}
    )
    assert changed.json()["hazardous"] is False
