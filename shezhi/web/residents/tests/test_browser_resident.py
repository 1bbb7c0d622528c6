"""A resident of 81 on a 390×844 phone, in 长辈模式 by default: orders help in at most four taps
after logging in and later rates it with a word; text is large, every button and link is a
thumb-sized target and nothing scrolls sideways."""

import os
import re

import pytest

from shezhi.needs import services
from shezhi.needs.models import Need
from shezhi.org.models import Station
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("SHEZHI_SCREENSHOT_DIR", "/tmp")

# Visible buttons, links, selects and summaries smaller than min_px in either direction (a
# radio or checkbox is measured by its label, which is what the finger hits).
SMALL_TARGETS = """(minPx) => Array.from(document.querySelectorAll(
    'a, button, select, summary, input:not([type=hidden]):not([type=radio]):not([type=checkbox]),'
    + ' label:has(input[type=radio]), label:has(input[type=checkbox])'))
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width > 0 && r.height > 0 && (r.height < minPx || r.width < minPx); })
  .map(e => { const r = e.getBoundingClientRect();
              return `${e.tagName} ${(e.innerText || e.name || '').trim().slice(0, 12)} `
                     + `${Math.round(r.width)}x${Math.round(r.height)}`; })"""
CHECKBOXES = """() => Array.from(
    document.querySelectorAll('input[type=checkbox], input[type=radio]'))
  .map(e => e.getBoundingClientRect())
  .filter(r => r.width > 0)
  .map(r => Math.min(r.width, r.height))"""


def check_page(page, *, min_font: float, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/shezhi_resident_{name}.png", full_page=True)
    font = float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
    assert font >= min_font, (name, font)
    assert page.evaluate(SMALL_TARGETS, 44) == [], name
    assert all(size >= 24 for size in page.evaluate(CHECKBOXES)), name
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, (name, overflow)


def test_elder_orders_in_four_taps_and_rates_with_a_word(open_page, world, settings):
    # The order is booked for later today or tomorrow and served now: the start window has
    # its own tests (needs/tests/test_trusted_hours.py).
    settings.SHEZHI_SERVICE_START_WINDOW_MINUTES = 3 * 24 * 60
    Station.objects.create(
        tier=Station.Tier.COMMUNITY,
        name="A社区社工室",
        unit=world.a["community"],
        phone="027-88886666",
    )
    dora = open_page(phone=True)
    log_in(dora, "dora")
    assert dora.url.endswith("/m/")
    assert "elder" in dora.evaluate("document.body.className").split()
    assert dora.locator("[data-testid=community-phone] a[href='tel:02788886666']").is_visible()
    check_page(dora, min_font=18, name="elder_tiles")

    taps = 0

    def tap(selector: str) -> None:
        nonlocal taps
        taps += 1
        dora.tap(selector)

    tap("[data-category=escort]")
    dora.wait_for_url(re.compile(r"category=escort"))
    check_page(dora, min_font=18, name="elder_form")
    assert dora.locator("[data-testid=chosen-category]").inner_text() == "陪诊"
    assert dora.locator("[data-urgency=general] input").is_checked() is True
    tap("[data-when=tomorrow_am]")
    tap(".btn-submit")
    dora.wait_for_url(re.compile(r"/m/needs/\d+/$"))
    assert taps <= 4
    need = Need.objects.get()
    assert need.category.code == "escort" and need.urgency.code == "general"
    assert need.wanted_from is not None
    check_page(dora, min_font=18, name="elder_ordered")

    # The need is served; Dora comes back and says how it went, in one tap.
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=90, note="陪同去医院复查")
    dora.goto("/m/my/")
    check_page(dora, min_font=18, name="elder_my_needs")
    dora.tap(f"a[href='/m/needs/{need.pk}/']")
    dora.wait_for_selector(".rate-words")
    words = dora.locator(".rate-words button").all_inner_texts()
    assert words == ["很满意", "满意", "一般", "不满意", "很不满意"]
    check_page(dora, min_font=18, name="elder_rate")
    dora.tap("button.rate-word:has-text('满意') >> nth=1")
    dora.wait_for_selector("text=感谢您的评价")
    need.refresh_from_db()
    assert need.rating == 4
    assert dora.locator(".rating-word").inner_text() == "满意"
    check_page(dora, min_font=18, name="elder_rated")

    # Switched off, the pages are smaller but still meet the floor for every resident.
    dora.tap("[data-testid=elder-switch]")
    dora.wait_for_selector("text=已关闭长辈模式")
    assert "elder" not in dora.evaluate("document.body.className").split()
    dora.goto("/m/?category=meals")
    dora.tap("summary")
    dora.tap("[data-when=other]")
    assert dora.locator("#id_other_day").is_visible()
    check_page(dora, min_font=16, name="standard_form")
