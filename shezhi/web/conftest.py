"""Headless Chromium for the browser tests (Playwright's sync API against pytest-django's
live_server). Chromium is the system one at /usr/bin/chromium; nothing is downloaded."""

import os
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("SHEZHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def browser(transactional_db, live_server) -> Iterator[object]:
    """Chromium for one test. It starts only after the test database is set up (and, with
    serialized_rollback, restored): Playwright's sync API runs an event loop in this thread,
    and while it runs the ORM works on context-local connections (hence also
    DJANGO_ALLOW_ASYNC_UNSAFE), which are closed again before the loop stops."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(phone=True) -> a page in a fresh context (own cookies), Chinese by default."""
    contexts = []

    def make(*, phone: bool = False, locale: str = "zh-CN"):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, **(PHONE if phone else DESK)
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = "pass-1234") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
