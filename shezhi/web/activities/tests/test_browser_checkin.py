"""QR check-in in headless Chromium: the organiser's page shows the rotating QR code, the
volunteer's phone (a second browser context with a mobile viewport) opens its link, checks in
and, after the activity, checks out; the organiser confirms the attendance in one step and the
hours appear on the volunteer's "我的" page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.activities.models import Activity, Attendance
from shezhi.activities.tests.factories import activity, sign_up
from shezhi.volunteers.models import ServiceRecord
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# The activity ends this many seconds after the test starts: long enough to check in on a
# loaded machine (the test then moves the end to the present instead of waiting for it).
ENDS_IN = 300


def test_organiser_qr_volunteer_phone_checkin_checkout_and_confirm(
    open_page, world, live_server, settings
):
    settings.SHEZHI_PUBLIC_BASE_URL = live_server.url  # what the QR code points the phone at
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        title="楼道清洁日",
        starts_at=now - timedelta(minutes=60),
        ends_at=now + timedelta(seconds=ENDS_IN),
        now=now - timedelta(days=1),
    )
    sign_up(world.bob, act, now=now - timedelta(days=1))

    # The organiser's phone shows the QR code.
    alice = open_page(phone=True)
    log_in(alice, "alice")
    alice.goto(f"/desk/activities/{act.pk}/")
    alice.click("[data-testid=qr-link]")
    assert alice.locator("#checkin-qr svg").count() == 1
    link = alice.locator("[data-testid=checkin-link]").get_attribute("href")
    assert link and "/checkin/?t=" in link

    # The volunteer's phone opens the link the QR code holds and checks in.
    bob = open_page(phone=True)
    log_in(bob, world.bob.username)
    bob.goto(link)
    bob.click("[data-testid=checkin-button]")
    bob.wait_for_selector("[data-testid=checked-in]")
    # Opening the same link again cannot check in twice.
    bob.goto(link)
    assert bob.locator("[data-testid=checkin-button]").count() == 0
    assert Attendance.objects.filter(activity=act).count() == 1
    # The test cannot wait an hour: Bob checked in at the start, an hour of service passes.
    Attendance.objects.filter(activity=act).update(checked_in_at=act.starts_at)

    # Nor wait for the end: the activity ends now (the organiser confirms only after the end).
    Activity.objects.filter(pk=act.pk).update(ends_at=timezone.now())

    # After the end: check out, and the organiser confirms the attendance list.
    bob.click("[data-testid=checkout]")
    bob.click("[data-testid=checkout-confirm-button]")  # 签退 says how long, then confirms
    bob.wait_for_selector("[data-testid=checked-out]")
    alice.goto(f"/desk/activities/{act.pk}/")
    alice.click("[data-testid=confirm]")
    alice.wait_for_selector("text=写入 1 条服务记录")
    record = ServiceRecord.objects.get(volunteer=world.bob_volunteer, source=f"activity:{act.pk}")
    assert record.hours == 1  # 60 minutes inside the activity's time

    bob.goto("/m/me/")
    assert "楼道清洁日" in bob.content()
    assert bob.locator("[data-testid=hours-total]").inner_text().strip() in {"1", "1.0"}
