"""Scope, masking and the audited reveal through the API. Charlie is the outsider."""

from datetime import date

import pytest

from shezhi.core.models import AuditEvent
from shezhi.core.validators import compose_id_number
from shezhi.needs.tests.factories import NeedFactory


@pytest.fixture
def need_a(world):
    return NeedFactory(
        resident=world.dora_resident, created_by=world.dora, contact_phone="13912345678"
    )


NEED_ACTIONS = [
    ("dispatch", {"target_kind": "pool"}),
    ("accept", None),
    ("start", None),
    ("complete", {"minutes": 30, "note": "完成"}),
    ("rate", {"score": 5}),
    ("return", {"reason": "不合适"}),
    ("cancel", {"reason": "重复"}),
    ("unresolvable", {"reason": "无法联系"}),
    ("review", {"reopen": False, "note": "已回访"}),
]


def test_outsider_gets_404_on_need_detail_candidates_and_edit(as_user, world, need_a):
    charlie = as_user(world.charlie)
    for response in (
        charlie.get(f"/needs/{need_a.pk}"),
        charlie.get(f"/needs/{need_a.pk}/candidates"),
        charlie.patch(f"/needs/{need_a.pk}", {"expected_version": 1, "title": "x"}),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert charlie.get("/needs").json()["total"] == 0


@pytest.mark.parametrize(("action", "body"), NEED_ACTIONS)
def test_outsider_gets_404_on_every_need_action(as_user, world, need_a, action, body):
    response = as_user(world.charlie).post(f"/needs/{need_a.pk}/{action}", body)
    assert response.status_code == 404
    need_a.refresh_from_db()
    assert need_a.status == "pending" and need_a.version == 1


def test_outsider_gets_404_on_resident_detail_edit_and_reveal(as_user, world):
    charlie = as_user(world.charlie)
    rid = world.dora_resident.pk
    assert charlie.get(f"/residents/{rid}").status_code == 404
    assert charlie.patch(f"/residents/{rid}", {"address": "1栋"}).status_code == 404
    assert charlie.post(f"/residents/{rid}/reveal").status_code == 404
    assert rid not in {r["id"] for r in charlie.get("/residents").json()["items"]}
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_UNMASKED).exists()


def test_unknown_ids_are_404(as_user, world):
    alice = as_user(world.alice)
    for path in ("/needs/987654", "/needs/0", "/needs/-5", "/needs/abc", "/residents/987654"):
        response = alice.get(path)
        assert response.status_code == 404, path
        assert response.json()["message"]


def test_need_list_and_detail_mask_the_contact_phone(as_user, world, need_a):
    alice = as_user(world.alice)
    detail = alice.get(f"/needs/{need_a.pk}")
    assert detail.json()["contact_phone"] == "139****5678"
    assert detail.json()["resident"]["name"] == "朵*"
    assert "13912345678" not in detail.content.decode()
    assert "13912345678" not in alice.get("/needs").content.decode()


def test_resident_list_and_detail_mask_id_number_and_phone(as_user, world):
    alice = as_user(world.alice)
    resident = world.dora_resident
    listing = alice.get("/residents")
    detail = alice.get(f"/residents/{resident.pk}")
    for response in (listing, detail):
        text = response.content.decode()
        assert resident.id_number not in text and resident.phone not in text
    assert detail.json()["id_number"] == resident.masked_id_number
    assert detail.json()["phone"] == resident.masked_phone


def test_reveal_shows_full_numbers_and_writes_an_audit_event(as_user, world):
    resident = world.dora_resident
    response = as_user(world.alice).post(f"/residents/{resident.pk}/reveal")
    assert response.status_code == 200
    assert response.json()["id_number"] == resident.id_number
    assert response.json()["phone"] == resident.phone
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ_UNMASKED)
    assert event.actor == world.alice and event.object_id == str(resident.pk)


def test_reveal_is_403_for_a_volunteer_and_not_audited(as_user, world):
    response = as_user(world.bob).post(f"/residents/{world.dora_resident.pk}/reveal")
    # A volunteer sees no residents at all, so the resident is not even found.
    assert response.status_code in (403, 404)
    assert world.dora_resident.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ_UNMASKED).exists()


def test_reveal_is_403_for_a_resident_viewing_their_own_record(as_user, world):
    response = as_user(world.dora).post(f"/residents/{world.dora_resident.pk}/reveal")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_social_worker_registers_and_edits_a_resident(as_user, world):
    alice = as_user(world.alice)
    id_number = compose_id_number("420106", date(1950, 5, 1), 7)
    response = alice.post(
        "/residents",
        {
            "name": "王大爷",
            "id_number": id_number,
            "grid_id": world.a["grid"].pk,
            "phone": "13700001111",
            "tag_codes": [],
            "consent_given": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] != id_number and body["phone"] == "137****1111"
    assert body["birth_date"] == "1950-05-01"

    edited = alice.patch(f"/residents/{body['id']}", {"address": "5栋1单元101"})
    assert edited.status_code == 200 and edited.json()["address"] == "5栋1单元101"


def test_resident_with_bad_id_number_is_refused_naming_the_field(as_user, world):
    good = compose_id_number("420106", date(1950, 5, 1), 7)
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    response = as_user(world.alice).post(
        "/residents",
        {
            "name": "王大爷",
            "id_number": bad,
            "grid_id": world.a["grid"].pk,
            "consent_given": True,
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "id_number"


def test_outsider_cannot_register_a_resident_in_another_community(as_user, world):
    response = as_user(world.charlie).post(
        "/residents",
        {
            "name": "王大爷",
            "id_number": compose_id_number("420106", date(1950, 5, 1), 9),
            "grid_id": world.a["grid"].pk,
            "consent_given": True,
        },
    )
    assert response.status_code == 404


def test_offered_helper_sees_address_masked_and_staff_in_full(as_user, world, need_a):
    need_a.address = "A小区3栋2单元501"
    need_a.save(update_fields=["address"])
    as_user(world.alice).post(f"/needs/{need_a.pk}/dispatch", {"target_kind": "pool"})
    assert as_user(world.alice).get(f"/needs/{need_a.pk}").json()["address"] == need_a.address
    bob_view = as_user(world.bob).get(f"/needs/{need_a.pk}").json()
    assert bob_view["address"] != need_a.address and bob_view["address"].endswith("****")
    assert bob_view["contact_phone"] == "139****5678"


def test_resident_search_by_full_id_number_stays_in_scope(as_user, world):
    id_number = world.dora_resident.id_number
    found = as_user(world.alice).get("/residents", q=id_number).json()
    assert [r["id"] for r in found["items"]] == [world.dora_resident.pk]
    assert as_user(world.charlie).get("/residents", q=id_number).json()["total"] == 0
