"""A grid worker's phone in headless Chromium: the "today" list shows an overdue resident, the
worker opens the care card, logs a visit that raises a need, and the need is in the ledger."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.care import services
from shezhi.care.models import CareProfile, Visit
from shezhi.care.tests.factories import register
from shezhi.needs.models import Need
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_grid_worker_logs_a_visit_on_the_phone_that_raises_a_need(open_page, world):
    register(world.alice, world.dora_resident, "high", now=timezone.now() - timedelta(days=30))
    services.contact_assign(
        actor=world.alice, resident_id=world.dora_resident.pk, contact_id=world.gina.pk
    )

    page = open_page(phone=True)
    log_in(page, "gina")
    page.goto("/m/care/")
    page.click(f"[data-testid=due-{world.dora_resident.pk}]")
    assert page.locator("[data-testid=phone]").inner_text() == world.dora_resident.phone
    page.click("[data-testid=log-visit]")

    page.check("input[name=meals][value=concern]")
    page.fill("input[name=meals_note]", "冰箱里只剩咸菜")
    page.fill("textarea[name=note]", "老人腿脚不便，买菜困难")
    page.click("text=发现需求")
    page.check("input[name=raise_need]")
    page.select_option("select[name=category]", "meals")
    page.select_option("select[name=urgency]", "caring")
    page.fill("textarea[name=need_description]", "需要助餐送餐服务，每天中午一餐")
    page.click("[data-testid=save-visit]")
    page.wait_for_selector("text=已登记走访")

    need = Need.objects.get()
    assert need.resident == world.dora_resident and need.source == "visit"
    assert Visit.objects.get().raised_need == need
    profile = CareProfile.objects.get(resident=world.dora_resident)
    assert profile.last_seen_on == timezone.localdate()

    # The need is in the ledger: the grid worker's desk shows it.
    page.goto(f"/desk/needs/{need.pk}/")
    assert "需要助餐送餐服务" in page.content()
    page.goto("/m/care/")
    assert page.locator(f"[data-testid=due-{world.dora_resident.pk}]").count() == 0


def test_supervisor_sees_the_coverage_chart_drawn_from_the_vendored_echarts(open_page, world):
    register(world.alice, world.dora_resident, "high")
    page = open_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    log_in(page, "sam")
    page.goto("/desk/care/coverage/")
    page.wait_for_selector("#coverage-chart[data-drawn='1'] canvas")
    assert "A网格" in page.locator("[data-testid=coverage]").inner_text()
    assert all(url.startswith(page.url.split("/desk/")[0]) for url in requests)  # no CDN
