"""Drafting, editing and issuing reports: who may, which periods, versions archived unchanged,
one winner when two issue at once, the leaders above told, the outsider refused."""

import pytest

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.notifications.models import Notification
from shezhi.reports import selectors, services
from shezhi.reports.document import from_json
from shezhi.reports.models import Report, ReportVersion
from shezhi.reports.permissions import ReportAction, report_actions_for
from shezhi.reports.tests.conftest import last_month, this_month


def start(world, actor=None, unit=None, kind="monthly", value=None) -> Report:
    return services.report_start(
        actor=actor or world.alice,
        unit_id=(unit or world.a["community"]).pk,
        kind=kind,
        value=last_month() if value is None else value,
    )


def test_social_worker_drafts_the_report_of_their_community(world):
    report = start(world)
    assert report.status == Report.Status.DRAFT and report.issued_version == 0
    assert report.title.endswith("月报") and report.unit == world.a["community"]
    assert report.period_start.day == 1 and report.period_end.month == report.period_start.month
    assert AuditEvent.objects.filter(
        object_type="reports.report", object_id=str(report.pk), action="create"
    ).exists()


def test_a_month_not_yet_ended_is_refused_with_a_clear_message(world):
    with pytest.raises(InvalidInput) as exc:
        start(world, value=this_month())
    assert exc.value.code == "period_not_ended" and exc.value.field == "period"
    assert "尚未结束" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        start(world, kind="annual", value=this_month()[:4])
    assert exc.value.code == "period_not_ended"


@pytest.mark.parametrize("value", ["2026-13", "abc", "", "2026-Q5", "11-2026"])
def test_a_bad_period_is_a_clear_error(world, value):
    with pytest.raises(InvalidInput) as exc:
        start(world, value=value)
    assert exc.value.field == "period" and exc.value.message


def test_an_annual_report_needs_a_year(world):
    with pytest.raises(InvalidInput):
        start(world, kind="annual", value=last_month())


def test_the_outsider_gets_not_found_and_a_volunteer_is_refused(world):
    with pytest.raises(NotFound):
        start(world, actor=world.charlie)  # community A is outside Charlie's scope
    with pytest.raises((Forbidden, NotFound)):
        start(world, actor=world.bob)
    assert not Report.objects.exists()


def test_one_report_per_unit_kind_and_period(world):
    start(world)
    with pytest.raises(Conflict) as exc:
        start(world, actor=world.sam)
    assert exc.value.code == "duplicate" and "已经存在" in exc.value.message


def test_a_social_worker_drafts_but_does_not_issue(world):
    report = start(world)
    assert report_actions_for(world.alice, report) == {ReportAction.READ, ReportAction.EDIT}
    with pytest.raises(Forbidden):
        services.report_issue(actor=world.alice, report=report, revision=report.revision)
    assert report_actions_for(world.sam, report) == set(ReportAction)


def test_issuing_archives_a_version_and_tells_the_leaders_above(world, leaders):
    report = start(world)
    report = services.report_edit(
        actor=world.alice,
        report=report,
        title=report.title,
        narrative="本月走访独居老人 30 户。",
        revision=report.revision,
    )
    version = services.report_issue(actor=world.sam, report=report, revision=report.revision)
    report.refresh_from_db()
    assert report.status == Report.Status.ISSUED and report.issued_version == 1
    assert version.number == 1 and bytes(version.pdf).startswith(b"%PDF-")
    assert bytes(version.xlsx).startswith(b"PK")  # a zip: the workbook
    doc = from_json(version.content)
    assert doc.narrative == "本月走访独居老人 30 户。" and not doc.draft
    assert doc.status_label == "第 1 版"
    told = set(
        Notification.objects.filter(subject=f"report:{report.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"sue", "dan"}  # not the issuer (sam), not district B, not the drafter
    note = Notification.objects.filter(recipient=leaders.street_admin).get()
    assert world.a["community"].name in note.title and "已印发" in note.title
    assert note.link == f"/desk/reports/{report.pk}/"


def test_an_edit_after_issue_changes_nothing_issued_and_reissue_makes_version_two(world):
    report = start(world, actor=world.sam)
    v1 = services.report_issue(actor=world.sam, report=report, revision=report.revision)
    v1.refresh_from_db()
    first_pdf, first_content = bytes(v1.pdf), v1.content
    report.refresh_from_db()
    report = services.report_edit(
        actor=world.alice,
        report=report,
        title="修订后的月报",
        narrative="更正：服务时长有补录。",
        revision=report.revision,
    )
    assert report.status == Report.Status.DRAFT and report.issued_version == 1  # 修订中
    v1.refresh_from_db()
    assert bytes(v1.pdf) == first_pdf and v1.content == first_content
    v2 = services.report_issue(actor=world.sam, report=report, revision=report.revision)
    assert v2.number == 2 and from_json(v2.content).title == "修订后的月报"
    assert [v.number for v in selectors.report_versions(report)] == [2, 1]
    assert from_json(ReportVersion.objects.get(report=report, number=1).content).title != (
        "修订后的月报"
    )


def test_a_second_issue_of_the_same_revision_loses(world):
    report = start(world, actor=world.sam)
    seen = report.revision
    services.report_issue(actor=world.sam, report=report, revision=seen)
    report.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.report_issue(actor=world.sam, report=report, revision=seen)
    assert exc.value.code == "stale"
    stale = Report.objects.get(pk=report.pk)
    stale.revision = seen  # as a page loaded before the first issue would send it
    with pytest.raises(Conflict):
        services.report_issue(actor=world.sam, report=stale, revision=seen)
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_an_edit_with_an_old_revision_is_refused(world):
    report = start(world)
    seen = report.revision
    services.report_edit(actor=world.alice, report=report, title="甲", narrative="", revision=seen)
    with pytest.raises(Conflict):
        services.report_edit(
            actor=world.sam, report=report, title="乙", narrative="", revision=seen
        )
    assert Report.objects.get(pk=report.pk).title == "甲"


def test_text_is_checked(world):
    report = start(world)
    with pytest.raises(InvalidInput) as exc:
        services.report_edit(
            actor=world.alice, report=report, title="  ", narrative="", revision=report.revision
        )
    assert exc.value.field == "title"
    with pytest.raises(InvalidInput) as exc:
        services.report_edit(
            actor=world.alice,
            report=report,
            title="月报",
            narrative="长" * 5001,
            revision=report.revision,
        )
    assert exc.value.field == "narrative"


def test_reports_are_scoped(world):
    report = start(world)
    assert selectors.report_get(actor=world.sam, report_id=report.pk) == report
    assert selectors.report_get(actor=world.admin, report_id=report.pk) == report
    for outsider in (world.charlie, world.bob, world.dora):
        with pytest.raises(NotFound):
            selectors.report_get(actor=outsider, report_id=report.pk)
        assert not selectors.reports_visible_to(outsider).exists()
    with pytest.raises(NotFound):
        selectors.version_get(actor=world.sam, report_id=report.pk, number=1)


def test_a_street_report_is_drafted_by_the_street(world):
    report = start(world, actor=world.sam, unit=world.a["street"], kind="annual", value="2025")
    assert report.kind == Report.Kind.ANNUAL and report.period_label == "2025年"
    assert report.title.endswith("年度报告")
    with pytest.raises(NotFound):
        selectors.report_get(actor=world.alice, report_id=report.pk)  # above her community


def test_a_missing_font_is_a_clear_503_and_issues_nothing(world, monkeypatch):
    from shezhi.proofs.pdf import FontUnavailable
    from shezhi.reports import pdf

    def no_font(doc, face=None):
        raise FontUnavailable()

    monkeypatch.setattr(pdf, "render_report", no_font)
    report = start(world, actor=world.sam)
    with pytest.raises(services.FontMissing) as exc:
        services.report_issue(actor=world.sam, report=report, revision=report.revision)
    assert exc.value.status == 503 and "报告" in exc.value.message
    report.refresh_from_db()
    assert report.issued_version == 0 and not ReportVersion.objects.exists()
