"""A social worker in headless Chromium opens a case from a crisis alert, runs the crisis
checklist (the supervisor is told at once; each ticked step shows its time), writes the safety
plan and refers the client to a hospital's psychiatric department."""

import pytest

from shezhi.care.models import CareAlert
from shezhi.cases.models import Case, CrisisIntervention, Referral
from shezhi.notifications.models import Notification
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_worker_opens_case_from_crisis_alert_runs_checklist_and_refers(open_page, world):
    alert = CareAlert.objects.create(
        kind=CareAlert.Kind.CRISIS,
        resident=world.dora_resident,
        community=world.a["community"],
        grid=world.a["grid"],
        summary="留言中出现轻生念头",
    )
    page = open_page()
    log_in(page, "alice")
    page.goto("/desk/care/alerts/")
    page.click(f"[data-testid=open-case-{alert.pk}]")
    page.select_option("select[name=problem_type]", "mental_health")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=已开案")
    case = Case.objects.get()
    assert (case.care_alert_id, case.risk_level) == (alert.pk, "urgent")

    # The crisis protocol: start it, the supervisor is notified at once.
    page.click("[data-testid=crisis-link]")
    page.click("[data-testid=start-crisis]")
    page.wait_for_selector("[data-testid=done-supervisor]")
    assert "通知督导" in page.locator("[data-testid=supervisor-notified]").inner_text()
    assert Notification.objects.filter(
        recipient=world.sam, kind="case_crisis", link=f"/desk/cases/{case.pk}/"
    ).exists()
    for step in ("safety", "risk", "guardian", "emergency"):
        page.click(f"[data-testid=tick-{step}]")
        page.wait_for_selector(f"[data-testid=done-{step}]")
    page.fill("textarea[name=safety_plan]", "每天早晚电话联系；移除家中药物；危机热线")
    page.click("[data-testid=save-safety-plan]")
    page.wait_for_selector("[data-testid=done-safety_plan]")
    page.click("[data-testid=tick-follow_up]")
    page.wait_for_selector("[data-testid=done-follow_up]")
    # Every ticked step shows its time.
    assert ":" in page.locator("[data-testid=done-risk]").inner_text()
    page.click("[data-testid=end-crisis]")
    page.wait_for_selector("text=当前没有进行中的危机干预")
    crisis = CrisisIntervention.objects.get(case=case)
    assert crisis.ended_at is not None and crisis.safety_plan.startswith("每天早晚")

    # A referral out to the hospital's psychiatric department.
    page.goto(f"/desk/cases/{case.pk}/")
    page.click("[data-testid=referral-link]")
    page.select_option("select[name=institution_kind]", "hospital")
    page.fill("input[name=institution_name]", "市第三人民医院精神科")
    page.fill("input[name=contact]", "王医生 027-88880000")
    page.fill("textarea[name=reason]", "自伤风险评估与门诊随访")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=已登记转介")
    referral = Referral.objects.get(case=case)
    assert (referral.direction, referral.status) == ("out", "sent")
    page.click("[data-testid=referral-received]")
    page.wait_for_selector("text=转介状态已更新")
    referral.refresh_from_db()
    assert referral.status == "received"
