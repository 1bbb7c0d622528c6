"""/api/v1/service-records/held, confirm and reject: the desk's rules through the API."""

from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import held_records


def test_list_shows_held_records_with_reason_codes_and_texts(as_user, world):
    held_records(world.bob_volunteer, world.alice, 2)
    body = as_user(world.alice).get("/service-records/held").json()
    assert len(body["items"]) == 2 and not body["has_more"]
    reasons = body["items"][0]["hold_reasons"]
    assert [r["code"] for r in reasons] == ["over_elapsed", "unconfirmed"]
    assert reasons[0]["text"].startswith("申报时长")
    assert as_user(world.charlie).get("/service-records/held").json()["items"] == []


def test_confirm_with_adjusted_minutes_and_reject_with_a_reason(as_user, world):
    first, second = held_records(world.bob_volunteer, world.alice, 2)
    alice = as_user(world.alice)
    missing = alice.post(f"/service-records/{first.pk}/confirm", {"minutes": 60})
    assert missing.status_code == 400 and missing.json()["field"] == "note"
    ok = alice.post(f"/service-records/{first.pk}/confirm", {"minutes": 60, "note": "核实"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "counted" and ok.json()["minutes"] == 60
    again = alice.post(f"/service-records/{first.pk}/reject", {"reason": "重复"})
    assert again.status_code == 409
    refused = alice.post(f"/service-records/{second.pk}/reject", {"reason": "未到医院"})
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"


def test_outsider_and_the_volunteer_get_404(as_user, world):
    (record,) = held_records(world.bob_volunteer, world.alice)
    for user in (world.charlie, world.bob):
        response = as_user(user).post(f"/service-records/{record.pk}/confirm", {})
        assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.HELD


def test_waive_start_window_through_the_api(as_user, world):
    from shezhi.needs.tests.test_trusted_hours import accepted_order, tomorrow_at

    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    assert as_user(world.bob).post(f"/needs/{need.pk}/start").status_code == 409
    refused = as_user(world.charlie).post(
        f"/needs/{need.pk}/waive-start-window", {"reason": "改约"}
    )
    assert refused.status_code == 404
    ok = as_user(world.alice).post(f"/needs/{need.pk}/waive-start-window", {"reason": "居民改约"})
    assert ok.status_code == 200, ok.content
    assert as_user(world.bob).post(f"/needs/{need.pk}/start").json()["status"] == "in_service"
