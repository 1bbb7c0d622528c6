"""A street leader in headless Chromium drafts last month's report of the street, issues it and
downloads the monthly PDF from the page; the file opens as a PDF whose Chinese text extracts
(pdftotext), and no request left the site."""

import shutil
import subprocess

import pytest

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.reports.models import Report
from shezhi.reports.tests.conftest import last_month
from shezhi.web.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_street_leader_issues_and_downloads_the_monthly_pdf(
    open_page, world, live_server, tmp_path
):
    leader = UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"], username="sue")
    page = open_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url),
    )
    log_in(page, leader.username)
    page.goto("/desk/reports/new/")
    page.select_option("#id_unit", str(world.a["street"].pk))
    page.fill("#id_value", last_month())
    page.click("[data-testid=report-create]")
    page.wait_for_load_state()
    page.fill("#id_narrative", "本月开展敬老活动，走访独居老人。")
    page.click("[data-testid=edit-submit]")
    page.wait_for_load_state()
    page.click("[data-testid=issue-submit]")
    page.wait_for_load_state()
    assert Report.objects.get().issued_version == 1
    with page.expect_download() as info:
        page.click("[data-testid=version-pdf]")
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert shutil.which("pdftotext"), "pdftotext missing: run scripts/bootstrap.sh test"
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    ).stdout.decode()
    text = text.replace("\n", "")
    for expected in (
        "月报",
        world.a["street"].name,
        "一、主要数据",
        "本月开展敬老活动，走访独居老人。",
    ):
        assert expected in text, expected
    assert "未正式印发" not in text  # the issued version, not a draft
    assert not outside, outside
