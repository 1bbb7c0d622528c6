"""Headless Chromium under the Content-Security-Policy: the desk home and the coverage chart
(ECharts) load with no violation; the log-in, lock-out and password pages work on a phone."""

import pytest
from axes.utils import reset as axes_reset

from shezhi.accounts.models import User
from shezhi.care.tests.factories import register
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def watch_csp(page) -> list[str]:
    """Collects CSP violations, both as console errors and as securitypolicyviolation events."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: (
            seen.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('Content Security Policy violation: ' + e.violatedDirective));"
    )
    return seen


def test_desk_home_and_the_chart_page_load_without_csp_violations(open_page, world):
    register(world.alice, world.dora_resident, "high")
    page = open_page()
    violations = watch_csp(page)
    log_in(page, "sam")
    page.goto("/desk/")
    assert page.locator("nav.nav").count() == 1
    page.goto("/desk/care/coverage/")
    page.wait_for_selector("#coverage-chart[data-drawn='1'] canvas")
    page.goto("/password/")
    page.wait_for_selector("#id_new_password1")
    assert violations == []


def test_phone_lock_out_then_forced_change(open_page, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    page = open_page(phone=True)
    violations = watch_csp(page)
    for _ in range(3):
        log_in(page, "dora", "wrong-password")
    assert "暂时不能登录" in page.locator("[data-testid=locked-out]").inner_text()

    axes_reset()  # the admin unlocks (the browser's address is locked too)
    User.objects.filter(pk=world.bob.pk).update(must_change_password=True)
    page = open_page(phone=True)
    log_in(page, world.bob.username)
    assert page.url.endswith("/password/")
    page.fill("#id_old_password", "pass-1234")
    page.fill("#id_new_password1", "20262026")
    page.fill("#id_new_password2", "20262026")
    page.click("[data-testid=save-password]")
    assert "密码不能全是数字" in page.content()
    page.fill("#id_old_password", "pass-1234")
    page.fill("#id_new_password1", "Gulou-lane-7!")
    page.fill("#id_new_password2", "Gulou-lane-7!")
    page.click("[data-testid=save-password]")
    page.wait_for_selector("text=密码已修改")
    assert violations == []
