"""/api/v1/privacy: the same rules as the pages — the resident's own data and requests, staff in
scope on the resident's behalf, the outsider refused with 404."""

from shezhi.privacy.models import RightsRequest
from shezhi.privacy.tests.helpers import scan, spread_resident


def test_resident_sees_and_downloads_own_data(world, as_user):
    api = as_user(world.dora)
    r = api.get("/privacy/data")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["resident_id"] == world.dora_resident.pk
    assert set(body["allowed_actions"]) == {"view", "export", "request"}
    basic = body["sections"][0]["items"][0]
    assert basic["身份证号码"] == world.dora_resident.id_number  # unmasked: their own


def test_resident_cannot_name_another_resident(world, as_user):
    r = as_user(world.dora).get("/privacy/data", resident_id=world.resident_b.pk)
    assert r.json()["resident_id"] == world.dora_resident.pk  # resident_id is ignored


def test_outsider_gets_404(world, as_user):
    for user in (world.charlie, world.bob):
        r = as_user(user).get("/privacy/data", resident_id=world.dora_resident.pk)
        assert r.status_code == 404
    assert as_user(world.charlie).get("/privacy/requests").json() == []


def test_request_answer_loop_and_deletion_through_the_api(world, as_user):
    marked = spread_resident(world)
    r = as_user(world.dora).post("/privacy/requests", {"kind": "deletion", "details": ""})
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["status"] == "open" and req["allowed_actions"] == []
    again = as_user(world.dora).post("/privacy/requests", {"kind": "deletion"})
    assert again.status_code == 409 and again.json()["code"] == "duplicate"

    alice = as_user(world.alice)
    listed = alice.get("/privacy/requests", open=True).json()
    assert [x["id"] for x in listed] == [req["id"]] and listed[0]["allowed_actions"] == ["answer"]
    assert "*" in listed[0]["resident"]  # masked in lists
    plan = alice.get("/privacy/deletion-plan", resident_id=marked.resident.pk).json()
    assert plan["cases_in_retention"] == 0 and plan["items"]
    assert (
        as_user(world.charlie)
        .post(f"/privacy/requests/{req['id']}/answer", {"accept": True})
        .status_code
        == 404
    )
    done = alice.post(f"/privacy/requests/{req['id']}/answer", {"accept": True, "answer": ""})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert scan(marked.needles) == []
    twice = alice.post(f"/privacy/requests/{req['id']}/answer", {"accept": True})
    assert twice.status_code == 409


def test_bad_input_is_a_clear_400(world, as_user):
    api = as_user(world.dora)
    r = api.post("/privacy/requests", {"kind": "correction", "details": ""})
    assert r.status_code == 400 and r.json()["field"] == "details"
    r = api.post("/privacy/requests", {"kind": "nonsense"})
    assert r.status_code == 400 and "请求类型" in r.json()["message"]
    req = api.post("/privacy/requests", {"kind": "access"}).json()
    r = as_user(world.alice).post(f"/privacy/requests/{req['id']}/answer", {"accept": "yes"})
    assert r.status_code == 400
    assert RightsRequest.objects.get(pk=req["id"]).status == "open"


def test_worker_files_on_behalf(world, as_user):
    r = as_user(world.gina).post(
        "/privacy/requests", {"kind": "access", "resident_id": world.dora_resident.pk}
    )
    assert r.status_code == 201 and r.json()["on_behalf"] is True
    alice = as_user(world.alice)
    mine = alice.get("/privacy/requests", resident_id=world.dora_resident.pk).json()
    assert [x["id"] for x in mine] == [r.json()["id"]]
    assert alice.get("/privacy/requests", resident_id=world.resident_b.pk).json() == []
