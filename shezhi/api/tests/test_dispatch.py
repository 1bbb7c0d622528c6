"""/api/v1/dispatch: 一键派单 proposals and confirmation through the API."""

from shezhi.core import tasks
from shezhi.core.models import TaskRun
from shezhi.needs.models import DispatchBatch, Need
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status


def test_proposals_then_confirm_dispatches_the_reviewed_needs(
    as_user, world, django_capture_on_commit_callbacks
):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    alice = as_user(world.alice)
    plan = alice.post("/dispatch/proposals", {"unit_id": world.a["community"].pk})
    assert plan.status_code == 200, plan.content
    body = plan.json()
    (proposal,) = body["proposals"]
    assert proposal["need_id"] == need.pk and "技能匹配" in proposal["explanation"]
    item = {
        "need_id": need.pk,
        "target_kind": proposal["target_kind"],
        "target_id": proposal["target_id"],
        "expected_version": proposal["expected_version"],
    }
    confirm = alice.post("/dispatch/confirm", {"items": [item]})
    assert confirm.status_code == 202, confirm.content  # queued: the queue dispatches it
    batch_id = confirm.json()["batch_id"]
    assert confirm.json() == {
        "batch_id": batch_id,
        "status": "queued",
        "dispatched": [],
        "failed": [],
    }
    run = TaskRun.objects.get(name="needs.bulk_dispatch")
    assert tasks.execute(run.pk) == TaskRun.Status.DONE
    batch = alice.get(f"/dispatch/batches/{batch_id}")
    assert batch.status_code == 200
    assert batch.json() == {
        "batch_id": batch_id,
        "status": "done",
        "dispatched": [need.pk],
        "failed": [],
    }
    need.refresh_from_db()
    assert need.status == Status.DISPATCHED


def confirmed(client, capture, items) -> dict:
    """Confirm through the API, let the queue run the batch after commit, read its outcome."""
    with capture(execute=True):
        response = client.post("/dispatch/confirm", {"items": items})
    assert response.status_code == 202, response.content
    outcome = client.get(f"/dispatch/batches/{response.json()['batch_id']}")
    assert outcome.status_code == 200 and outcome.json()["status"] == "done"
    return outcome.json()


def test_stale_item_is_reported_and_the_rest_dispatched(
    as_user, world, django_capture_on_commit_callbacks
):
    first = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    second = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    items = [
        {"need_id": first.pk, "target_kind": "pool", "expected_version": first.version},
        {"need_id": second.pk, "target_kind": "pool", "expected_version": second.version + 1},
    ]
    outcome = confirmed(as_user(world.alice), django_capture_on_commit_callbacks, items)
    assert outcome["dispatched"] == [first.pk]
    assert outcome["failed"][0]["need_id"] == second.pk
    assert "刷新" in outcome["failed"][0]["message"]


def test_outsider_gets_404_and_cannot_confirm(as_user, world, django_capture_on_commit_callbacks):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    charlie = as_user(world.charlie)
    response = charlie.post("/dispatch/proposals", {"unit_id": world.a["community"].pk})
    assert response.status_code == 404 and response.json()["message"]
    item = {"need_id": need.pk, "target_kind": "pool", "expected_version": need.version}
    outcome = confirmed(charlie, django_capture_on_commit_callbacks, [item])
    assert outcome["failed"] == [{"need_id": need.pk, "message": "未找到该需求"}]
    assert Need.objects.get(pk=need.pk).status == Status.PENDING
    # Alice's batch is hers: charlie (and anyone else) gets 404 for it.
    batch = DispatchBatch.objects.create(actor=world.alice, items=[])
    assert charlie.get(f"/dispatch/batches/{batch.pk}").status_code == 404
    assert as_user(world.alice).get(f"/dispatch/batches/{batch.pk}").status_code == 200


def test_helper_is_refused_and_malformed_input_gives_400(as_user, world):
    assert (
        as_user(world.bob)
        .post("/dispatch/proposals", {"unit_id": world.a["community"].pk})
        .status_code
        == 403
    )
    alice = as_user(world.alice)
    for body in ({}, {"unit_id": "x"}, {"unit_id": 0}, {"unit_id": 1, "extra": 1}):
        assert alice.post("/dispatch/proposals", body).status_code == 400, body
    for body in ({"items": []}, {"items": [{"need_id": 1}]}, {"items": "x"}):
        assert alice.post("/dispatch/confirm", body).status_code == 400, body
    unknown = alice.post("/dispatch/proposals", {"unit_id": 987654321})
    assert unknown.status_code == 404
