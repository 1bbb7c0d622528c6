"""/api/v1/reports: the pages' rules through the API — list with total, draft, edit, issue,
download the archived version, the figure table; bad input is a clear 400, the outsider 404."""

from io import BytesIO

from openpyxl import load_workbook

from shezhi.reports.models import ReportVersion
from shezhi.reports.tests.conftest import last_month, this_month


def test_draft_edit_issue_and_download(world, as_user):
    alice, sam = as_user(world.alice), as_user(world.sam)
    r = alice.post(
        "/reports", {"unit_id": world.a["community"].pk, "kind": "monthly", "value": last_month()}
    )
    assert r.status_code == 201, r.content
    report = r.json()
    assert report["status"] == "draft" and report["versions"] == []
    assert report["allowed_actions"] == ["edit", "read"]
    rid = report["id"]

    r = alice._send(
        "put",
        f"/reports/{rid}",
        {"title": "A社区月报", "narrative": "走访 30 户。", "revision": report["revision"]},
    )
    assert r.status_code == 200, r.content
    edited = r.json()
    assert edited["title"] == "A社区月报" and edited["revision"] == report["revision"] + 1

    r = alice.post(f"/reports/{rid}/issue", {"revision": edited["revision"]})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = sam.post(f"/reports/{rid}/issue", {"revision": report["revision"]})
    assert r.status_code == 409 and r.json()["code"] == "stale"  # the revision before the edit
    r = sam.post(f"/reports/{rid}/issue", {"revision": edited["revision"]})
    assert r.status_code == 201, r.content
    assert r.json()["number"] == 1

    detail = sam.get(f"/reports/{rid}").json()
    assert detail["status"] == "issued" and [v["number"] for v in detail["versions"]] == [1]
    pdf = sam.get(f"/reports/{rid}/versions/1.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(ReportVersion.objects.get(report_id=rid).pdf)
    assert sam.get(f"/reports/{rid}/versions/2.pdf").status_code == 404

    page = sam.get("/reports", kind="monthly")
    assert page.json()["total"] == 1 and page.json()["items"][0]["id"] == rid


def test_a_month_not_ended_and_bad_periods_are_clear_errors(world, as_user):
    alice = as_user(world.alice)
    unit = world.a["community"].pk
    r = alice.post("/reports", {"unit_id": unit, "kind": "monthly", "value": this_month()})
    assert r.status_code == 400 and r.json()["code"] == "period_not_ended"
    assert "尚未结束" in r.json()["message"]
    r = alice.post("/reports", {"unit_id": unit, "kind": "monthly", "value": "2026-00"})
    assert r.status_code == 400 and r.json()["field"] == "period"
    r = alice.post("/reports", {"unit_id": unit, "kind": "weekly", "value": last_month()})
    assert r.status_code == 400


def test_the_outsider_gets_404(world, as_user):
    r = as_user(world.sam).post(
        "/reports", {"unit_id": world.a["community"].pk, "kind": "monthly", "value": last_month()}
    )
    rid = r.json()["id"]
    charlie = as_user(world.charlie)
    assert charlie.get(f"/reports/{rid}").status_code == 404
    assert charlie.get(f"/reports/{rid}/preview.pdf").status_code == 404
    assert charlie.get("/reports").json()["total"] == 0
    r = charlie.post(
        "/reports", {"unit_id": world.a["community"].pk, "kind": "monthly", "value": "2025-01"}
    )
    assert r.status_code == 404
    assert as_user(world.bob).get(f"/reports/{rid}").status_code == 404


def test_figure_table_as_excel(world, as_user):
    r = as_user(world.sam).get(
        "/reports/figure-table.xlsx", unit=world.a["street"].pk, kind="month", value=last_month()
    )
    assert r.status_code == 200, r.content[:300]
    ws = load_workbook(BytesIO(r.content)).active
    assert ws["A1"].value == "数据表"
    r = as_user(world.sam).get(
        "/reports/figure-table.xlsx", unit=world.a["street"].pk, kind="month", value="2026-13"
    )
    assert r.status_code == 400 and r.json()["message"]
    r = as_user(world.charlie).get(
        "/reports/figure-table.xlsx", unit=world.a["street"].pk, kind="month", value=last_month()
    )
    assert r.status_code == 404
