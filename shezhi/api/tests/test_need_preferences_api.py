"""The resident's service requirements through the API: set, validated, cleared with null."""

from datetime import datetime, timedelta

from django.utils import timezone


def test_order_with_a_window_then_clear_it(as_user, world):
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    dora, alice = as_user(world.dora), as_user(world.alice)
    response = dora.post(
        "/needs",
        {
            "category": "repair",
            "urgency": "general",
            "description": "热水器坏了",
            "wanted_from": start.isoformat(),
            "wanted_until": (start + timedelta(hours=2)).isoformat(),
            "helper_gender": "M",
        },
    )
    assert response.status_code == 201, response.content
    need = response.json()
    assert datetime.fromisoformat(need["wanted_from"]) == start
    assert need["helper_gender"] == "M" and need["home_visit"] is True

    cleared = alice.patch(
        f"/needs/{need['id']}",
        {"expected_version": 1, "wanted_from": None, "wanted_until": None},
    )
    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["wanted_from"] is None and cleared.json()["helper_gender"] == "M"


def test_half_a_window_is_a_400_naming_the_field(as_user, world):
    start = timezone.now() + timedelta(days=2)
    response = as_user(world.dora).post(
        "/needs",
        {
            "category": "repair",
            "urgency": "general",
            "description": "热水器坏了",
            "wanted_from": start.isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "wanted_until" and "请同时填写" in response.json()["message"]
