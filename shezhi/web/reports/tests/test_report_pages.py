"""The reports pages: the list with its total and a fixed number of queries, drafting, editing,
issuing, downloading the archived files, the figure table export; the outsider refused."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.reports import services
from shezhi.reports.models import Report, ReportVersion
from shezhi.reports.tests.conftest import last_month, this_month


def draft(world, unit=None, actor=None, value=None) -> Report:
    return services.report_start(
        actor=actor or world.sam,
        unit_id=(unit or world.a["community"]).pk,
        kind="monthly",
        value=value or last_month(),
    )


def test_list_shows_the_total_in_a_fixed_number_of_queries(client, world):
    client.force_login(world.sam)
    street = world.a["street"]
    draft(world)
    client.get("/desk/reports/")
    with CaptureQueriesContext(connection) as few:
        small = client.get("/desk/reports/")
    for n in range(3):
        unit = OrgUnitFactory(level=3, parent=street, name=f"新社区{n}")
        draft(world, unit=unit)
    with CaptureQueriesContext(connection) as many:
        large = client.get("/desk/reports/")
    assert small.status_code == large.status_code == 200
    assert "共 1 份" in small.content.decode() and "共 4 份" in large.content.decode()
    assert large.content.decode().count('data-testid="report-row"') == 4
    assert len(few.captured_queries) == len(many.captured_queries)


def test_draft_edit_and_issue_through_the_pages(client, world):
    client.force_login(world.alice)
    page = client.get("/desk/reports/new/")
    assert page.status_code == 200 and world.a["community"].name in page.content.decode()
    r = client.post(
        "/desk/reports/new/",
        {"unit": world.a["community"].pk, "kind": "monthly", "value": last_month()},
    )
    report = Report.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/desk/reports/{report.pk}/"
    r = client.post(
        f"/desk/reports/{report.pk}/",
        {"title": report.title, "narrative": "开展敬老活动 3 场。", "revision": report.revision},
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.narrative == "开展敬老活动 3 场。"
    page = client.get(f"/desk/reports/{report.pk}/").content.decode()
    assert 'data-testid="issue-form"' not in page  # a social worker drafts, a leader issues
    preview = client.get(f"/desk/reports/{report.pk}/preview.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF-")
    assert "no-store" in preview["Cache-Control"]

    client.force_login(world.sam)
    r = client.post(f"/desk/reports/{report.pk}/issue/", {"revision": report.revision})
    assert r.status_code == 302
    version = ReportVersion.objects.get(report=report)
    page = client.get(f"/desk/reports/{report.pk}/").content.decode()
    assert 'data-testid="version-row"' in page and "重新印发" in page
    pdf = client.get(f"/desk/reports/{report.pk}/v1.pdf")
    assert pdf.status_code == 200 and pdf.content == bytes(version.pdf)
    xlsx = client.get(f"/desk/reports/{report.pk}/v1.xlsx")
    assert xlsx.content == bytes(version.xlsx)
    # the same click again (an old revision) makes no second version
    again = client.post(f"/desk/reports/{report.pk}/issue/", {"revision": report.revision})
    assert again.status_code == 302 and ReportVersion.objects.filter(report=report).count() == 1


def test_a_month_not_ended_is_refused_on_the_form(client, world):
    client.force_login(world.alice)
    r = client.post(
        "/desk/reports/new/",
        {"unit": world.a["community"].pk, "kind": "monthly", "value": this_month()},
    )
    assert r.status_code == 200 and "尚未结束" in r.content.decode()
    r = client.post(
        "/desk/reports/new/", {"unit": world.a["community"].pk, "kind": "monthly", "value": "x"}
    )
    assert r.status_code == 200 and not Report.objects.exists()


def test_the_outsider_and_other_roles_are_refused(client, world):
    report = draft(world)
    services.report_issue(actor=world.sam, report=report, revision=report.revision)
    client.force_login(world.charlie)
    for url in (
        f"/desk/reports/{report.pk}/",
        f"/desk/reports/{report.pk}/v1.pdf",
        f"/desk/reports/{report.pk}/preview.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/desk/reports/{report.pk}/issue/", {"revision": 1}).status_code == 404
    assert "report-row" not in client.get("/desk/reports/").content.decode()
    # Charlie cannot draft for a community outside his scope either
    r = client.post(
        "/desk/reports/new/",
        {"unit": world.a["community"].pk, "kind": "monthly", "value": last_month()},
    )
    assert r.status_code == 200 and Report.objects.count() == 1
    for user in (world.bob, world.dora):
        client.force_login(user)
        assert client.get("/desk/reports/").status_code == 403
        assert client.get(f"/desk/reports/{report.pk}/v1.pdf").status_code == 403


def test_figure_table_exports_the_figures_of_a_unit_and_period(client, world):
    client.force_login(world.sam)
    unit = world.a["street"]
    r = client.get(
        "/desk/reports/figures.xlsx", {"unit": unit.pk, "kind": "month", "value": last_month()}
    )
    assert r.status_code == 200, r.content[:300]
    ws = load_workbook(BytesIO(r.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any(isinstance(c, str) and unit.name in c for c in cells)
    assert "指标" in cells and "口径" in cells


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"kind": "month", "value": "2026-13"}, 400),
        ({"kind": "custom", "start": "2026-05-01", "end": "2026-04-01"}, 400),
        ({"kind": "custom", "start": "2010-01-01", "end": "2026-04-01"}, 400),
        ({"kind": "week", "value": "2026-11"}, 400),
        ({"kind": "month", "value": "2026-11", "unit": "abc"}, 400),
    ],
)
def test_figure_table_bad_input_is_a_clear_page(client, world, params, status):
    client.force_login(world.sam)
    r = client.get("/desk/reports/figures.xlsx", {"unit": world.a["street"].pk, **params})
    assert r.status_code == status
    assert 'data-testid="export-error"' in r.content.decode()


def test_figure_table_of_a_unit_outside_scope_is_not_found(client, world):
    client.force_login(world.charlie)
    r = client.get(
        "/desk/reports/figures.xlsx",
        {"unit": world.a["community"].pk, "kind": "month", "value": last_month()},
    )
    assert r.status_code == 404


def test_staff_find_reports_in_the_navigation_and_helpers_do_not(world):
    from shezhi.web.navigation import nav_for

    def names(user):
        return {e.url_name for g in nav_for(user, "/desk/") for e in g.entries}

    assert "reports:list" in names(world.alice) and "reports:list" in names(world.sam)
    assert "reports:list" not in names(world.bob) and "reports:list" not in names(world.dora)
