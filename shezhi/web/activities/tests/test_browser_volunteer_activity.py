"""A volunteer's phone (390×844) in headless Chromium: signs up for a position (the button then
says 已报名 with 取消报名), checks in from the QR link and checks out through the confirmation
that says how long they were there. Set SHEZHI_SCREENSHOTS to a folder to keep screenshots."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.activities import attendance as checkins
from shezhi.activities import services as activity_services
from shezhi.activities.models import Attendance
from shezhi.activities.services import PositionSpec
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def shot(page, name: str) -> None:
    folder = os.environ.get("SHEZHI_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_volunteer_signs_up_checks_in_and_checks_out_with_confirmation(
    open_page, world, live_server, settings
):
    settings.SHEZHI_PUBLIC_BASE_URL = live_server.url
    now = timezone.now()
    made = activity_services.activity_create(
        actor=world.alice,
        now=now,
        spec=activity_services.ActivitySpec(
            title="楼道清洁日",
            category="elderly",
            description="清理楼道杂物，张贴防火提示。",
            venue="A社区3栋",
            starts_at=now + timedelta(minutes=50),
            ends_at=now + timedelta(hours=3),
            person_in_charge="王主任",
            positions=[PositionSpec(name="清洁员", quota=3), PositionSpec(name="宣传员", quota=2)],
            organiser_unit_id=world.a["community"].pk,
        ),
    )
    act = activity_services.activity_publish(actor=world.alice, activity_id=made.pk, now=now)

    bob = open_page(phone=True)
    log_in(bob, world.bob.username)
    bob.goto("/m/activities/")
    shot(bob, "1-open-positions")
    first = bob.locator("[data-testid=open-position]").first
    first.locator("[data-testid=sign-up]").click()
    bob.wait_for_selector("[data-testid=joined]")
    shot(bob, "2-joined")
    joined = bob.locator("[data-testid=open-position]").first
    # It starts within the cut-off: no 取消报名 the service would refuse, but whom to ask.
    assert "已报名" in joined.inner_text() and "取消报名" not in joined.inner_text()
    assert "请联系活动组织者" in joined.inner_text()
    assert joined.locator("[data-testid=sign-up]").count() == 0
    assert bob.locator("[data-testid=joined-other]").count() == 1

    # The QR code on the organiser's phone opens the check-in page (check-in opens 60 min early).
    link = checkins.checkin_url(
        activity_id=act.pk,
        token=checkins.checkin_token_issue(actor=world.alice, activity_id=act.pk),
    )
    bob.goto(link)
    bob.click("[data-testid=checkin-button]")
    bob.wait_for_selector("[data-testid=checked-in]")
    local = timezone.localtime(Attendance.objects.get(activity=act).checked_in_at)
    assert f"签到成功：{local:%H:%M}" in bob.content()
    shot(bob, "3-checked-in")

    # 签退 right away: the confirmation refuses it and says when it will be possible.
    bob.click("[data-testid=checkout]")
    bob.wait_for_selector("[data-testid=too-soon]")
    shot(bob, "4-too-soon")
    assert Attendance.objects.get(activity=act).checked_out_at is None

    # An hour and a half later (the test cannot wait): the activity is under way.
    Attendance.objects.filter(activity=act).update(checked_in_at=now - timedelta(minutes=40))
    act.starts_at = now - timedelta(minutes=30)
    act.save(update_fields=["starts_at"])
    bob.goto(f"/m/activities/{act.pk}/checkin/")
    bob.click("[data-testid=checkout]")
    bob.wait_for_selector("[data-testid=checkout-confirm-button]")
    assert "已在岗 40 分钟" in bob.inner_text("[data-testid=present]")
    shot(bob, "5-confirm")
    bob.click("[data-testid=checkout-confirm-button]")
    bob.wait_for_selector("[data-testid=checked-out]")
    shot(bob, "6-checked-out")
    attendance = Attendance.objects.get(activity=act)
    assert attendance.checked_out_at is not None and attendance.minutes >= 29
