"""/api/v1/cases writes the desk pages also do (intake, assessment, plan, benefits, review,
closure, team) and the aggregate report: each calls the page's service, so the same role may do
it, an outsider gets the 404 of a missing case, and bad input a Chinese 400."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases.models import BenefitTask, Case, CaseClosure, Stage
from shezhi.cases.tests.factories import open_case, to_stage

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()
CJK = "\u4e00"


def _chinese(r) -> bool:
    return r.status_code == 400 and any(ch >= CJK for ch in r.json()["message"])


def test_open_a_case_for_a_resident(as_user, world):
    body = {
        "source": "walk_in",
        "problem_type": "family",
        "risk_level": "medium",
        "client_consent": True,
        "client_id": world.dora_resident.pk,
    }
    r = as_user(world.alice).post("/cases", body)
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["id"])
    assert case.worker == world.alice and "朵拉" not in r.json()["client"]
    # No consent: the service's Chinese message.
    r = as_user(world.alice).post("/cases", body | {"client_consent": False})
    assert _chinese(r) and r.json()["field"] == "client_consent"
    r = as_user(world.alice).post("/cases", body | {"risk_level": "huge"})
    assert _chinese(r)
    # A resident outside the worker's units is a 404; a role that may not open cases a 403.
    r = as_user(world.charlie).post("/cases", body)
    assert r.status_code == 404
    assert as_user(world.gina).post("/cases", body).status_code == 403
    assert Case.objects.count() == 1


def test_open_from_need_needs_the_need(as_user, world):
    body = {"source": "need", "problem_type": "family", "risk_level": "medium"}
    r = as_user(world.alice).post("/cases", body | {"client_consent": True})
    assert _chinese(r) and r.json()["field"] == "need_id"


@pytest.fixture
def assessing(world):
    return to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.ASSESSMENT)


def test_assessment(as_user, world, assessing):
    body = {"presenting_problem": "独居，情绪低落", "risk_level": "high"}
    r = as_user(world.alice).post(f"/cases/{assessing.pk}/assessments", body)
    assert r.status_code == 201, r.content
    assessing.refresh_from_db()
    assert assessing.risk_level == "high"
    r = as_user(world.alice).post(
        f"/cases/{assessing.pk}/assessments", body | {"presenting_problem": "  "}
    )
    assert _chinese(r) and r.json()["field"] == "presenting_problem"
    assert (
        as_user(world.charlie).post(f"/cases/{assessing.pk}/assessments", body).status_code == 404
    )
    # A team member who is not the case worker may not write the assessment (as on the page).
    helper = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    as_user(world.alice).post(
        f"/cases/{assessing.pk}/team", {"user_id": helper.pk, "role": "counsellor"}
    )
    assert as_user(helper).post(f"/cases/{assessing.pk}/assessments", body).status_code == 403


def test_plan_with_goals(as_user, world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.PLANNING)
    goal = {
        "description": "每周外出一次",
        "interventions": "陪同参加社区活动",
        "responsible_id": world.alice.pk,
        "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    r = as_user(world.alice).post(f"/cases/{case.pk}/plans", {"summary": "计划", "goals": [goal]})
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 1 and len(r.json()["goals"]) == 1
    r = as_user(world.alice).post(f"/cases/{case.pk}/plans", {"goals": []})
    assert _chinese(r) and r.json()["field"] == "goals"
    r = as_user(world.alice).post(
        f"/cases/{case.pk}/plans", {"goals": [goal | {"responsible_id": world.sam.pk}]}
    )
    assert _chinese(r) and "团队成员" in r.json()["message"]
    assert (
        as_user(world.charlie).post(f"/cases/{case.pk}/plans", {"goals": [goal]}).status_code == 404
    )


def test_benefits_create_update_and_shown_in_detail(as_user, world, assessing):
    api = as_user(world.alice)
    r = api.post(f"/cases/{assessing.pk}/benefits", {"kinds": ["dibao", "medical_aid"]})
    assert r.status_code == 201, r.content
    ids = [t["id"] for t in r.json()]
    assert {t["kind"] for t in api.get(f"/cases/{assessing.pk}").json()["benefits"]} == {
        "dibao",
        "medical_aid",
    }
    r = api.post(f"/cases/{assessing.pk}/benefits", {"kinds": ["dibao"]})
    assert r.status_code == 409
    assert _chinese(api.post(f"/cases/{assessing.pk}/benefits", {"kinds": ["gold"]}))
    assert _chinese(api.post(f"/cases/{assessing.pk}/benefits", {"kinds": []}))
    r = api.post(f"/cases/benefits/{ids[0]}/status", {"status": "submitted"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = api.post(f"/cases/benefits/{ids[0]}/status", {"status": "todo"})
    assert _chinese(r) and r.json()["field"] == "status"
    r = as_user(world.charlie).post(f"/cases/benefits/{ids[1]}/status", {"status": "submitted"})
    assert r.status_code == 404
    assert (
        as_user(world.charlie)
        .post(f"/cases/{assessing.pk}/benefits", {"kinds": ["tekun"]})
        .status_code
        == 404
    )
    assert BenefitTask.objects.get(pk=ids[1]).status == "todo"


def test_review_by_worker_and_supervisor(as_user, world, assessing):
    r = as_user(world.sam).post(f"/cases/{assessing.pk}/reviews", {"risk_level": "low"})
    assert r.status_code == 201, r.content
    assert as_user(world.alice).get(f"/cases/{assessing.pk}").json()["reviews"][0]["id"]
    r = as_user(world.alice).post(f"/cases/{assessing.pk}/reviews", {"risk_level": "x"})
    assert _chinese(r)
    r = as_user(world.charlie).post(f"/cases/{assessing.pk}/reviews", {"risk_level": "low"})
    assert r.status_code == 404


def test_close(as_user, world):
    case = to_stage(open_case(world.alice, world.dora_resident), world.alice, Stage.INTERVENTION)
    api = as_user(world.alice)
    body = {"reason": "client_withdrew", "outcome": "partly", "closed_on": TODAY}
    r = api.post(f"/cases/{case.pk}/close", body | {"reason": "goals_met"})
    assert _chinese(r) and r.json()["field"] == "reason"  # only after evaluation
    r = api.post(
        f"/cases/{case.pk}/close", body | {"goal_statuses": [{"goal_id": 999999, "status": "met"}]}
    )
    assert r.status_code == 400
    assert as_user(world.charlie).post(f"/cases/{case.pk}/close", body).status_code == 404
    assert as_user(world.sam).post(f"/cases/{case.pk}/close", body).status_code == 403
    r = api.post(f"/cases/{case.pk}/close", body)
    assert r.status_code == 201, r.content
    assert CaseClosure.objects.filter(case=case).count() == 1
    case.refresh_from_db()
    assert case.status == Stage.CLOSED


def test_team_add_and_end(as_user, world, assessing):
    helper = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    api = as_user(world.alice)
    r = api.post(f"/cases/{assessing.pk}/team", {"user_id": helper.pk, "role": "counsellor"})
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    r = api.post(f"/cases/{assessing.pk}/team", {"user_id": world.dora.pk, "role": "counsellor"})
    assert _chinese(r)
    assert (
        as_user(world.charlie)
        .post(f"/cases/{assessing.pk}/team", {"user_id": helper.pk, "role": "volunteer"})
        .status_code
        == 404
    )
    assert as_user(helper).post(f"/cases/team/{mid}/end", {}).status_code == 403
    assert as_user(world.charlie).post(f"/cases/team/{mid}/end", {}).status_code == 404
    r = api.post(f"/cases/team/{mid}/end", {})
    assert r.status_code == 200 and r.json()["ended_on"] == TODAY


def test_report_counts_only(as_user, world, assessing):
    r = as_user(world.sam).get("/cases/report?by=problem_type")
    assert r.status_code == 200, r.content
    assert sum(row["total"] for row in r.json()) == 1
    assert "朵拉" not in r.content.decode()
    assert as_user(world.charlie).get("/cases/report").json() == [] or all(
        row["total"] == 0 for row in as_user(world.charlie).get("/cases/report").json()
    )
    assert _chinese(as_user(world.sam).get("/cases/report?by=age"))
    assert as_user(world.dora).get("/cases/report").status_code == 403


def test_consent_reopen_and_supervision(as_user, world):
    case = open_case(world.alice, world.dora_resident)
    api = as_user(world.alice)
    r = api.post(f"/cases/{case.pk}/consent", {"client_consent": True})
    assert r.status_code == 200, r.content
    assert (
        as_user(world.charlie)
        .post(f"/cases/{case.pk}/consent", {"client_consent": True})
        .status_code
        == 404
    )
    assert api.post(f"/cases/{case.pk}/consent", {"client_consent": 1}).status_code == 400
    # Supervision notes: the supervisor only.
    url = f"/cases/{case.pk}/supervision-notes"
    assert as_user(world.sam).post(url, {"text": "注意边界"}).status_code == 201
    assert api.post(url, {"text": "自己写"}).status_code == 403
    assert _chinese(as_user(world.sam).post(url, {"text": " "}))
    assert as_user(world.charlie).post(url, {"text": "x"}).status_code == 404
    # Reopen: only a closed case.
    r = api.post(f"/cases/{case.pk}/reopen", {"reason": "复发"})
    assert r.status_code == 409
    api.post(f"/cases/{case.pk}/close", {"reason": "client_withdrew", "outcome": "not_achieved"})
    assert _chinese(api.post(f"/cases/{case.pk}/reopen", {"reason": " "}))
    assert (
        as_user(world.charlie).post(f"/cases/{case.pk}/reopen", {"reason": "复发"}).status_code
        == 404
    )
    r = as_user(world.sam).post(f"/cases/{case.pk}/reopen", {"reason": "复发"})
    assert r.status_code == 200 and r.json()["status"] == "assessment"


def test_crisis_start_safety_plan_and_end(as_user, world, assessing):
    api = as_user(world.alice)
    assert as_user(world.charlie).post(f"/cases/{assessing.pk}/crises").status_code == 404
    r = api.post(f"/cases/{assessing.pk}/crises")
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert _chinese(api.post(f"/cases/crises/{cid}/safety-plan", {"safety_plan": " "}))
    r = api.post(f"/cases/crises/{cid}/safety-plan", {"safety_plan": "每天两次电话"})
    assert r.status_code == 200 and r.json()["safety_plan"] == "每天两次电话"
    assert api.post(f"/cases/crises/{cid}/end").status_code == 400  # steps not done
    assert as_user(world.charlie).post(f"/cases/crises/{cid}/end").status_code == 404


def test_emergency_access_for_admins_only(as_user, world, assessing):
    body = {"case_id": assessing.pk, "reason": "投诉核查", "hours": 2}
    assert as_user(world.alice).post("/cases/emergency", body).status_code == 403
    assert as_user(world.alice).get("/cases/emergency").status_code == 403
    assert _chinese(as_user(world.admin).post("/cases/emergency", body | {"reason": " "}))
    r = as_user(world.admin).post("/cases/emergency", body)
    assert r.status_code == 201, r.content
    gid = r.json()["id"]
    assert [g["id"] for g in as_user(world.admin).get("/cases/emergency").json()] == [gid]
    r = as_user(world.admin).post(f"/cases/emergency/{gid}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert as_user(world.alice).post(f"/cases/emergency/{gid}/revoke").status_code == 403


def test_a_counsellor_sees_neither_benefits_nor_reviews(as_user, world, assessing):
    helper = UserFactory(role=Role.VOLUNTEER, unit=world.a["community"])
    api = as_user(world.alice)
    api.post(f"/cases/{assessing.pk}/team", {"user_id": helper.pk, "role": "counsellor"})
    api.post(f"/cases/{assessing.pk}/benefits", {"kinds": ["dibao"]})
    api.post(f"/cases/{assessing.pk}/reviews", {"risk_level": "low", "note": "好转"})
    body = as_user(helper).get(f"/cases/{assessing.pk}").json()
    assert body["benefits"] is None and body["reviews"] is None
    assert "好转" not in str(body)
    assert (
        as_user(helper).post(f"/cases/{assessing.pk}/benefits", {"kinds": ["tekun"]}).status_code
        == 403
    )


def test_supervision_dashboard_for_the_supervisor_line(as_user, world, assessing):
    r = as_user(world.sam).get("/cases/supervision")
    assert r.status_code == 200, r.content
    body = r.json()
    assert [row["worker_id"] for row in body["caseloads"]] == [world.alice.pk]
    assert "朵拉" not in r.content.decode()
    assert as_user(world.alice).get("/cases/supervision").status_code == 403
    assert as_user(world.dora).get("/cases/supervision").status_code == 403
