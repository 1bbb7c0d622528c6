"""The inbox on a phone in headless Chromium: Erin withdraws from a full activity on her phone,
Bob (on the waiting list) gets a place; his navigation shows an unread badge, his inbox the
notice (delivered in-process after commit), and opening it marks it read and leads to his
activities page."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import activity, sign_up
from shezhi.notifications.models import Delivery, Notification
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_promoted_volunteer_sees_the_badge_and_opens_the_notice(open_page, world, settings):
    settings.SHEZHI_TASKS_INLINE = True
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        title="社区义诊",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        now=now,
        positions=[PositionSpec(name="引导员", quota=1)],
    )
    sign_up(world.erin, act, now=now)
    sign_up(world.bob, act, now=now)  # waiting list

    erin = open_page(phone=True)
    log_in(erin, world.erin.username)
    erin.goto("/m/activities/")
    erin.locator("[data-testid=my-signup] form button").first.click()
    erin.wait_for_load_state()

    notice = Notification.objects.get(recipient=world.bob, kind=Notification.Kind.WAITLIST_PROMOTED)
    deadline = time.monotonic() + 15  # the in-process delivery thread runs after commit
    while Delivery.objects.filter(notification=notice, status=Delivery.Status.SENT).count() < 1:
        assert time.monotonic() < deadline, "the notice was not delivered in-process"
        time.sleep(0.2)

    bob = open_page(phone=True)
    log_in(bob, world.bob.username)
    bob.goto("/m/activities/")
    link = bob.locator("[data-testid=inbox-link]")
    assert link.locator(".badge-count").inner_text() == "2"  # also "已进入候补" at sign-up
    link.click()
    cards = bob.locator("[data-testid=notification]")
    assert cards.count() == 2 and "已进入候补：社区义诊" in cards.nth(1).inner_text()
    card = cards.first  # newest first
    assert "候补转正：社区义诊" in card.inner_text()
    card.locator("button", has_text="查看").click()
    bob.wait_for_url("**/m/activities/")
    assert bob.locator("[data-testid=inbox-link] .badge-count").inner_text() == "1"
    notice.refresh_from_db()
    assert notice.read_at is not None
