"""The four orders end to end through the API, as the named users."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F

from shezhi.core.models import AuditEvent
from shezhi.needs.models import Need
from shezhi.needs.tests.factories import NeedFactory


def order_help(as_user, world, **extra):
    response = as_user(world.dora).post(
        "/needs",
        {"category": "repair", "urgency": "immediate", "description": "热水器坏了", **extra},
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_whole_loop_through_the_api_credits_hours_and_changes_counts(as_user, world):
    alice, bob, dora = as_user(world.alice), as_user(world.bob), as_user(world.dora)
    assert alice.get("/needs/counts").json()["pending"] == 0

    need = order_help(as_user, world)
    need_id = need["id"]
    assert need["status"] == "pending" and need["source"] == "online"
    assert alice.get("/needs/counts").json()["pending"] == 1

    candidates = alice.get(f"/needs/{need_id}/candidates").json()
    bob_row = next(c for c in candidates if c["kind"] == "volunteer" and c["name"] == "鲍勃")
    assert bob_row["skill_fit"] and "技能匹配" in bob_row["explanation"]

    response = alice.post(
        f"/needs/{need_id}/dispatch",
        {"target_kind": "volunteer", "target_id": bob_row["id"], "expected_version": 1},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched"

    assert bob.post(f"/needs/{need_id}/accept").json()["status"] == "accepted"
    assert bob.post(f"/needs/{need_id}/start").json()["status"] == "in_service"
    # 95 minutes pass on the server's clock: a claim of 90 is within bounds.
    Need.objects.filter(pk=need_id).update(started_at=F("started_at") - timedelta(minutes=95))
    done = bob.post(f"/needs/{need_id}/complete", {"minutes": 90, "note": "更换了温控器"})
    assert done.status_code == 200 and done.json()["status"] == "done"

    rated = dora.post(f"/needs/{need_id}/rate", {"score": 5, "comment": "很好"})
    assert rated.status_code == 200, rated.content
    detail = alice.get(f"/needs/{need_id}").json()
    assert detail["status"] == "rated" and detail["rating"] == 5
    assert [h["to_status"] for h in detail["history"]] == [
        "pending",
        "dispatched",
        "accepted",
        "in_service",
        "done",
        "rated",
    ]
    counts = alice.get("/needs/counts").json()
    assert counts["rated"] == 1 and counts["pending"] == 0
    assert alice.get("/needs", status="rated").json()["total"] == 1

    records = bob.get("/me/service-records").json()
    assert Decimal(records["total_hours"]) == Decimal("1.5")
    assert records["records"][0]["person_in_charge"] == str(world.alice)
    assert AuditEvent.objects.filter(object_type="needs.need", object_id=str(need_id)).count() == 6


def test_low_rating_goes_to_review_and_the_social_worker_reopens(as_user, world):
    alice, bob = as_user(world.alice), as_user(world.bob)
    need_id = order_help(as_user, world)["id"]
    alice.post(
        f"/needs/{need_id}/dispatch",
        {"target_kind": "volunteer", "target_id": world.bob_volunteer.pk},
    )
    bob.post(f"/needs/{need_id}/accept")
    bob.post(f"/needs/{need_id}/complete", {"minutes": 30, "note": "看过了"})
    as_user(world.dora).post(f"/needs/{need_id}/rate", {"score": 1, "comment": "没修好"})
    assert alice.get("/needs", needs_review="true").json()["total"] == 1

    response = alice.post(f"/needs/{need_id}/review", {"reopen": True, "note": "重新派单"})
    assert response.status_code == 200
    assert response.json()["status"] == "pending" and not response.json()["needs_review"]


def test_second_accept_of_a_pool_order_gets_409(as_user, world):
    need_id = order_help(as_user, world)["id"]
    as_user(world.alice).post(f"/needs/{need_id}/dispatch", {"target_kind": "pool"})
    assert as_user(world.bob).post(f"/needs/{need_id}/accept").status_code == 200
    second = as_user(world.erin).post(f"/needs/{need_id}/accept")
    assert second.status_code == 409
    assert second.json()["code"] == "taken" and second.json()["message"]


def test_stale_version_on_update_gets_409(as_user, world):
    alice = as_user(world.alice)
    need_id = order_help(as_user, world)["id"]
    first = alice.patch(f"/needs/{need_id}", {"expected_version": 1, "title": "热水器维修"})
    assert first.status_code == 200 and first.json()["title"] == "热水器维修"
    second = alice.patch(f"/needs/{need_id}", {"expected_version": 1, "title": "别的标题"})
    assert second.status_code == 409 and second.json()["code"] == "stale"


def test_illegal_transition_is_409_with_a_chinese_message(as_user, world):
    need_id = order_help(as_user, world)["id"]
    response = as_user(world.dora).post(f"/needs/{need_id}/rate", {"score": 5})
    assert response.status_code == 409
    assert "不能评价" in response.json()["message"]


def test_volunteer_cannot_dispatch(as_user, world):
    need_id = order_help(as_user, world)["id"]
    response = as_user(world.bob).post(f"/needs/{need_id}/dispatch", {"target_kind": "pool"})
    assert response.status_code in (403, 404)
    assert response.json()["message"]


def test_ledger_filters_and_paginates(as_user, world):
    for _ in range(3):
        order_help(as_user, world)
    order_help(as_user, world, description="需要助餐服务")
    alice = as_user(world.alice)
    page = alice.get("/needs", limit=2, offset=0).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert alice.get("/needs", limit=2, offset=2).json()["items"][0]["id"] not in {
        i["id"] for i in page["items"]
    }
    assert alice.get("/needs", q="助餐").json()["total"] == 1
    assert alice.get("/needs", category="repair", urgency="immediate").json()["total"] == 4
    assert alice.get("/needs", overdue="true").json()["total"] == 0


def test_validation_error_names_the_field_in_chinese(as_user, world):
    need_id = order_help(as_user, world)["id"]
    response = as_user(world.dora).post(f"/needs/{need_id}/rate", {"score": "五"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "字段 score：应为整数",
        "field": "score",
    }


def test_domain_error_from_a_service_keeps_its_field(as_user, world):
    response = as_user(world.dora).post(
        "/needs", {"category": "no-such", "urgency": "immediate", "description": "x"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "category" and response.json()["message"]


def test_reference_data_and_me(as_user, world):
    alice = as_user(world.alice)
    me = alice.get("/me").json()
    assert me["username"] == "alice" and me["role"] == "social_worker"
    assert me["unit"]["id"] == world.a["community"].pk
    assert "repair" in {c["code"] for c in alice.get("/categories").json()}
    assert "immediate" in {u["code"] for u in alice.get("/urgency-levels").json()}


def test_ledger_list_query_count_does_not_grow_with_rows(
    as_user, world, django_assert_max_num_queries
):
    NeedFactory.create_batch(30, resident=world.dora_resident, created_by=world.dora)
    alice = as_user(world.alice)
    with django_assert_max_num_queries(8):
        page = alice.get("/needs", limit=30).json()
    assert len(page["items"]) == 30
