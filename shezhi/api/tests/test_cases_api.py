"""/api/v1/cases: the team and the supervisor line see a case (each only their parts); everyone
else gets the same 404 as a missing case and leaves an entry in the access log; every read is
logged; writes go through the services with their Chinese messages."""

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases import services
from shezhi.cases.models import CaseAccessLog, Referral, Stage
from shezhi.cases.tests.factories import log_session, open_case, to_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    c = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    log_session(c, world.alice, content="社工面谈内容")
    return c


@pytest.fixture
def counsellor(world, case):
    user = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    services.team_add(actor=world.alice, case_id=case.pk, user_id=user.pk, role="counsellor")
    return user


def _actor(world, who, counsellor=None):
    if who == "counsellor":
        return counsellor
    if who == "other_worker":
        return UserFactory(role=Role.SOCIAL_WORKER, unit=world.a["community"])
    return getattr(world, who)


def test_list_my_cases_masks_the_client_and_is_logged(as_user, world, case):
    r = as_user(world.alice).get("/cases")
    assert r.status_code == 200
    [row] = r.json()
    assert row["id"] == case.pk and "朵拉" not in row["client"]
    assert CaseAccessLog.objects.filter(user=world.alice, case=case, action="list").exists()
    assert as_user(world.charlie).get("/cases").json() == []


@pytest.mark.parametrize(
    "who,parts_seen,parts_hidden",
    [
        ("alice", {"assessments", "team", "crises", "referrals"}, set()),
        ("counsellor", {"plan", "sessions"}, {"assessments", "team", "crises", "referrals"}),
        ("sam", {"assessments", "team", "crises", "referrals"}, set()),
    ],
)
def test_insiders_get_the_parts_of_their_role_and_each_read_is_logged(
    as_user, world, case, counsellor, who, parts_seen, parts_hidden
):
    actor = _actor(world, who, counsellor)
    r = as_user(actor).get(f"/cases/{case.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert all(body[p] is not None for p in parts_seen)
    assert all(body[p] is None for p in parts_hidden)
    text = r.content.decode()
    assert ("曾遭父亲殴打" in text) is (who != "counsellor")
    assert ("社工面谈内容" in text) is (who != "counsellor")  # own sessions only
    reads = CaseAccessLog.objects.filter(user=actor, case=case, action="read")
    assert reads.filter(part="summary").exists()
    assert reads.filter(part="assessment").exists() is (who != "counsellor")


@pytest.mark.parametrize("who", ["other_worker", "charlie", "admin", "bob", "gina", "dora"])
def test_outsiders_get_the_404_of_a_missing_case_and_an_audit_entry(as_user, world, case, who):
    actor = _actor(world, who)
    api = as_user(actor)
    missing = api.get("/cases/987654321")
    for r in (
        api.get(f"/cases/{case.pk}"),
        api.get(f"/cases/{case.pk}/referrals"),
        api.post(f"/cases/{case.pk}/advance", {"to_status": "evaluation"}),
        api.post(
            f"/cases/{case.pk}/interventions",
            {"on": timezone.localdate().isoformat(), "form": "office", "content": "x"}
            | {"duration_minutes": 10},
        ),
    ):
        assert r.status_code == 404
        assert r.json() == missing.json()
    assert CaseAccessLog.objects.filter(user=actor, case=case, action="denied").count() >= 4
    assert not CaseAccessLog.objects.filter(user=actor, action="read").exists()


def test_admin_with_emergency_access_reads_the_case(as_user, world, case):
    services.emergency_access_grant(actor=world.admin, case_id=case.pk, reason="投诉核查")
    r = as_user(world.admin).get(f"/cases/{case.pk}")
    assert r.status_code == 200 and r.json()["relation"] == "emergency"


def test_log_an_intervention_and_bad_input(as_user, world, case, counsellor):
    body = {"on": timezone.localdate().isoformat(), "form": "counselling", "content": "咨询"}
    r = as_user(counsellor).post(f"/cases/{case.pk}/interventions", body | {"duration_minutes": 50})
    assert r.status_code == 201 and r.json()["by"]
    r = as_user(counsellor).post(f"/cases/{case.pk}/interventions", body | {"duration_minutes": 0})
    assert r.status_code == 400 and r.json()["field"] == "duration_minutes"
    r = as_user(world.alice).post(
        f"/cases/{case.pk}/interventions", body | {"duration_minutes": 5, "form": "magic"}
    )
    assert r.status_code == 400 and r.json()["message"] == "请选择介入形式"
    r = as_user(world.alice).post(
        f"/cases/{case.pk}/interventions", body | {"duration_minutes": 5, "on": "2099-01-01"}
    )
    assert r.status_code == 400 and "不能晚于今天" in r.json()["message"]


def test_advance_stage_and_refused_skip(as_user, world):
    case = open_case(world.alice, world.dora_resident)
    api = as_user(world.alice)
    r = api.post(f"/cases/{case.pk}/advance", {"to_status": "intervention"})
    assert r.status_code == 400 and "不能转到" in r.json()["message"]
    r = api.post(f"/cases/{case.pk}/advance", {"to_status": "assessment", "note": "开始预估"})
    assert r.status_code == 200 and r.json()["status"] == "assessment"


def test_counsellor_cannot_advance(as_user, world, case, counsellor):
    r = as_user(counsellor).post(f"/cases/{case.pk}/advance", {"to_status": "evaluation"})
    assert r.status_code == 403


def test_referrals_create_list_and_status(as_user, world, case):
    api = as_user(world.alice)
    r = api.post(
        f"/cases/{case.pk}/referrals",
        {"institution_kind": "hospital", "institution_name": "市第三医院精神科"}
        | {"reason": "自伤风险评估", "contact": "王医生"},
    )
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert [x["id"] for x in api.get(f"/cases/{case.pk}/referrals").json()] == [rid]
    r = api.post(f"/cases/referrals/{rid}/status", {"to_status": "answered", "answer": "x"})
    assert r.status_code == 400  # sent → received first
    assert api.post(f"/cases/referrals/{rid}/status", {"to_status": "received"}).status_code == 200
    r = api.post(f"/cases/referrals/{rid}/status", {"to_status": "answered"})
    assert r.status_code == 400 and r.json()["field"] == "answer"
    r = api.post(f"/cases/referrals/{rid}/status", {"to_status": "answered", "answer": "已收治"})
    assert r.json()["status"] == "answered"
    assert Referral.objects.get(pk=rid).answered_at is not None
    # A referral to nowhere, and an outsider on the referral.
    r = api.post(
        f"/cases/{case.pk}/referrals",
        {"institution_kind": "hospital", "institution_name": "  ", "reason": "x"},
    )
    assert r.status_code == 400 and r.json()["field"] == "institution_name"
    r = as_user(world.charlie).post(f"/cases/referrals/{rid}/status", {"to_status": "received"})
    assert r.status_code == 404


def test_crisis_checklist_tick(as_user, world, case):
    crisis = services.crisis_start(actor=world.alice, case_id=case.pk)
    api = as_user(world.alice)
    r = api.post(f"/cases/crises/{crisis.pk}/steps", {"step": "safety"})
    assert r.status_code == 200
    step = next(s for s in r.json()["steps"] if s["code"] == "safety")
    assert step["done_at"]
    assert api.post(f"/cases/crises/{crisis.pk}/steps", {"step": "safety"}).status_code == 409
    assert api.post(f"/cases/crises/{crisis.pk}/steps", {"step": "dance"}).status_code == 400
    r = as_user(world.charlie).post(f"/cases/crises/{crisis.pk}/steps", {"step": "risk"})
    assert r.status_code == 404
    assert CaseAccessLog.objects.filter(user=world.charlie, case=case, action="denied").exists()
