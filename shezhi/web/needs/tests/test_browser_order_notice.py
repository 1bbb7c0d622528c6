"""On a phone in headless Chromium: Alice dispatches Dora's repair to Bob at her desk; Bob's
inbox shows the new order (category, compound, booked time; nothing of Dora's), he opens it,
lands on the order and accepts it; Dora's inbox then says who accepted."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.needs import services
from shezhi.needs.workflow import Status
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("SHEZHI_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_volunteer_accepts_a_dispatched_order_from_the_inbox(open_page, world, settings):
    start = (timezone.localtime() + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    need = services.need_create(
        actor=world.dora,
        category="repair",
        urgency="general",
        description="朵拉家热水器坏了",
        wanted_from=start,
        wanted_until=start + timedelta(hours=2),
    )
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )

    bob = open_page(phone=True)
    log_in(bob, world.bob.username)
    link = bob.locator("[data-testid=inbox-link]")
    assert link.locator(".badge-count").inner_text() == "1"
    link.click()
    card = bob.locator("[data-testid=notification]")
    assert card.count() == 1
    text = card.inner_text()
    assert "新派单：家电维修" in text and "A小区" in text and "09:00–11:00" in text
    assert "朵拉" not in text and world.dora_resident.phone not in text
    shot(bob, "inbox-volunteer")
    card.locator("button", has_text="查看").click()
    bob.wait_for_url(f"**/m/orders/{need.pk}/")
    shot(bob, "order-from-inbox")
    bob.locator("button", has_text="接单").click()
    bob.wait_for_load_state()
    assert "接单成功" in bob.content()
    need.refresh_from_db()
    assert need.status == Status.ACCEPTED and need.accepted_by == world.bob
    assert bob.locator("[data-testid=inbox-link] .badge-count").count() == 0

    dora = open_page(phone=True)
    log_in(dora, world.dora.username)
    dora.goto("/m/inbox/")
    notice = dora.locator("[data-testid=notification]")
    assert notice.count() == 1 and "您的需求已有人接单" in notice.inner_text()
    shot(dora, "inbox-resident")
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    dora.locator("[data-testid=inbox-preferences]").click()
    dora.wait_for_url("**/m/inbox/settings/")
    shot(dora, "preferences")
    dora.locator("[data-testid=sms-toggle]").uncheck()
    dora.locator("button", has_text="保存").click()
    dora.wait_for_load_state()
    assert "通知设置已保存" in dora.content()
    assert not dora.locator("[data-testid=sms-toggle]").is_checked()

    # The social worker's desk page of the need shows who was told what, and how.
    alice = open_page()
    log_in(alice, world.alice.username)
    alice.goto(f"/desk/needs/{need.pk}/")
    told = alice.locator("[data-testid=need-notice]")
    assert told.count() == 2
    assert "服务对象" in told.first.inner_text() and "站内消息" in told.first.inner_text()
    shot(alice, "desk-need-notices")
