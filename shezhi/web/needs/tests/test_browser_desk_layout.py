"""At 1440×900 the desk's wide tables fit: the bulk-dispatch review shows every column including
the per-row override, the ledger needs no sideways scrolling, and the result lists who got what."""

import os

import pytest

from shezhi.needs.models import UrgencyLevel
from shezhi.needs.tests.factories import NeedFactory
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("SHEZHI_SCREENSHOT_DIR", "/tmp")
WIDTH, HEIGHT = 1440, 900


def desk_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": WIDTH, "height": HEIGHT}
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def assert_nothing_clipped(page, table_selector: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTH, f"page is {scroll}px wide at a {WIDTH}px viewport"
    wrap = page.evaluate(
        f"(() => {{ const w = document.querySelector('{table_selector}').closest('.table-wrap');"
        " return [w.scrollWidth, w.clientWidth]; })()"
    )
    assert wrap[0] <= wrap[1], f"the table scrolls inside its frame: {wrap}"


def test_dispatch_review_and_ledger_fit_at_1440(browser, live_server, world):
    levels = list(UrgencyLevel.objects.all())
    for i in range(8):
        NeedFactory(
            resident=world.dora_resident,
            created_by=world.alice,
            urgency=levels[i % len(levels)],
            title=f"卫生间水龙头漏水需要更换配件并检查管道{i}",
            description="老人独居，行动不便，水龙头一直滴水，晚上影响休息，请尽快上门。",
        )
    context, page = desk_page(browser, live_server)
    try:
        log_in(page, "alice")
        page.goto("/desk/dispatch/bulk/")
        page.wait_for_selector('[data-testid="dispatch-plan"]')
        page.screenshot(path=f"{SHOTS}/shezhi_desk_dispatch_review_1440.png", full_page=True)
        assert_nothing_clipped(page, '[data-testid="dispatch-plan"]')
        overrides = page.locator('select[data-testid^="override-"]')
        assert overrides.count() >= 1
        for i in range(overrides.count()):
            box = overrides.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        headers = page.locator('[data-testid="dispatch-plan"] thead th')
        last = headers.nth(headers.count() - 1).bounding_box()
        assert last is not None and last["x"] + last["width"] <= WIDTH

        page.click("button:has-text('确认派单')")
        page.wait_for_selector('[data-testid="dispatch-done"]')
        done = page.locator('[data-testid="dispatch-done"]').inner_text()
        assert "卫生间水龙头漏水" in done and "→" in done
        page.screenshot(path=f"{SHOTS}/shezhi_desk_dispatch_done_1440.png", full_page=True)

        page.goto("/desk/needs/")
        page.wait_for_selector("table.ledger")
        page.screenshot(path=f"{SHOTS}/shezhi_desk_ledger_1440.png", full_page=True)
        assert_nothing_clipped(page, "table.ledger")
    finally:
        context.close()
