"""Every write of reports: starting a draft, editing its text, issuing (印发) a version.

A report is a draft the station writes; issuing renders its PDF and workbook from the figures as
they are, and archives them with the document as a new ReportVersion — never changed again. A
later edit or a correction of the data changes nothing issued: issuing again makes the next
version, and the earlier ones stay readable. Each step is audited in its transaction; the unit's
leaders are told of an issue through the notifications outbox (sent after commit).

Reading the figures and rendering take seconds, so they run before the write transaction
(SQLite would hold its write lock meanwhile); the write then succeeds only if the report's
revision is still the one rendered — two clicks on 印发, or an edit in between, cannot make two
versions of one text."""

import hashlib
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.accounts.models import User
from shezhi.core import audit
from shezhi.core.errors import Conflict, DomainError, ErrorCode, Forbidden, InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent, identity_snapshot
from shezhi.core.permissions import require
from shezhi.figures.periods import Period, PeriodError, parse_period
from shezhi.figures.selectors import figures_unit
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify_many
from shezhi.notifications.texts import render
from shezhi.org.models import OrgUnit
from shezhi.proofs.pdf import FontUnavailable
from shezhi.reports import compose, excel, pdf
from shezhi.reports.document import ReportDocument, to_json
from shezhi.reports.errors import ReportError
from shezhi.reports.models import NARRATIVE_MAX, Report, ReportVersion
from shezhi.reports.permissions import (
    LEADER_ROLES,
    ReportAction,
    may_draft_reports,
    report_actions_for,
)

PERIOD_KIND = {Report.Kind.MONTHLY: "month", Report.Kind.ANNUAL: "year"}


class FontMissing(DomainError):
    """The server cannot render Chinese: an installation fault, not the caller's."""

    status = 503
    code = ReportError.FONT_MISSING


def check_period_ended(period: Period, today: date) -> None:
    if not period.ended(today):
        first = period.end + timedelta(days=1)
        raise InvalidInput(
            _("%(period)s尚未结束，报告须在期末之后起草（%(day)s起）")
            % {"period": period.label, "day": f"{first.year}年{first.month}月{first.day}日"},
            field="period",
            code=ReportError.PERIOD_NOT_ENDED,
        )


def render_pdf(doc: ReportDocument) -> bytes:
    try:
        return pdf.render_report(doc)
    except FontUnavailable:
        raise FontMissing(
            _(
                "服务器未安装中文字体（fonts-noto-cjk），无法生成报告 PDF。"
                "请管理员执行 apt-get install fonts-noto-cjk 后重试。"
            )
        ) from None


def render_files(doc: ReportDocument) -> tuple[bytes, bytes]:
    return render_pdf(doc), excel.report_xlsx(doc)


@transaction.atomic
def report_create(
    *, actor: User, unit: OrgUnit, kind: str, period: Period, today: date | None = None
) -> Report:
    """A draft report of `unit` (from a scoped selector: figures_unit) for an ended period."""
    if not may_draft_reports(actor):
        raise Forbidden(_("您没有权限起草报告"))
    if kind not in PERIOD_KIND:
        raise InvalidInput(_("报告类型应为月报或年度报告"), field="kind")
    if period.kind != PERIOD_KIND[Report.Kind(kind)]:
        raise InvalidInput(_("月报的期间应为一个月，年度报告的期间应为一年"), field="period")
    check_period_ended(period, today or timezone.localdate())
    report = Report(
        unit=unit,
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        title=compose.default_title(unit, kind),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise Conflict(
            _("%(unit)s%(period)s的%(kind)s已经存在，请打开它继续编辑")
            % {"unit": unit.name, "period": period.label, "kind": report.get_kind_display()},
            code=ReportError.DUPLICATE,
        ) from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=report,
        summary=f"起草{unit.name}{period.label}{report.get_kind_display()}",
    )
    return report


@transaction.atomic
def report_edit(
    *, actor: User, report: Report, title: str, narrative: str, revision: int
) -> Report:
    """New title and text. An issued report becomes a draft again (修订中); its issued versions
    stay as they were until it is issued again."""
    require(ReportAction.EDIT, report_actions_for(actor, report), message=_("您没有权限修改报告"))
    title = clean_text(title, field="title", max_length=80, label=_("标题"))
    narrative = clean_text(
        narrative, field="narrative", max_length=NARRATIVE_MAX, label=_("工作小结"), required=False
    )
    before = {"title": report.title, "narrative": report.narrative, "status": report.status}
    changed = Report.objects.filter(pk=report.pk, revision=revision).update(
        title=title,
        narrative=narrative,
        status=Report.Status.DRAFT,
        revision=F("revision") + 1,
        updated_at=timezone.now(),
    )
    if not changed:
        raise Conflict(_("报告已被他人修改或已印发，请刷新后再改"), code=ErrorCode.STALE)
    report.refresh_from_db()
    after = {"title": report.title, "narrative": report.narrative, "status": report.status}
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=report,
        summary=f"修改{report}",
        changes=audit.diff(before, after),
    )
    return report


def report_issue(
    *, actor: User, report: Report, revision: int, now: datetime | None = None
) -> ReportVersion:
    """Archive the report as it reads now as version n + 1 and tell the unit's leaders."""
    require(ReportAction.ISSUE, report_actions_for(actor, report), message=_("您没有权限印发报告"))
    now = (now or timezone.now()).replace(microsecond=0)
    check_period_ended(compose.report_period(report), timezone.localdate(now))
    if report.revision != revision:
        raise Conflict(_("报告已被他人修改或已印发，请刷新后再印发"), code=ErrorCode.STALE)
    number = report.issued_version + 1
    doc = compose.report_document(actor=actor, report=report, version=number, now=now)
    pdf_bytes, xlsx_bytes = render_files(doc)
    with transaction.atomic():
        changed = Report.objects.filter(pk=report.pk, revision=revision).update(
            status=Report.Status.ISSUED,
            issued_version=number,
            revision=F("revision") + 1,
            updated_at=now,
        )
        if not changed:
            raise Conflict(_("报告已被他人修改或已印发，请刷新后再印发"), code=ErrorCode.STALE)
        version = ReportVersion.objects.create(
            report=report,
            number=number,
            issued_at=now,
            issued_by=actor,
            issued_by_identity=identity_snapshot(actor),
            content=to_json(doc),
            pdf=pdf_bytes,
            pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
            xlsx=xlsx_bytes,
        )
        report.refresh_from_db()
        audit.record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=report,
            summary=f"印发{report}第{number}版",
            changes={"version": number, "pdf_sha256": version.pdf_sha256},
        )
        _tell_leaders(actor, report, number)
    return version


def leaders_of(unit: OrgUnit) -> list[User]:
    """The leaders of the unit and of every unit above it (supervisors, street and district
    admins), who receive what the unit reports upward."""
    paths, path = [], unit.path
    while path.count("/") > 1:
        paths.append(path)
        path = path[: path[:-1].rfind("/") + 1]
    return list(
        User.objects.filter(is_active=True, role__in=LEADER_ROLES, unit__path__in=paths).order_by(
            "id"
        )
    )


def _tell_leaders(actor: User, report: Report, number: int) -> None:
    recipients = [u for u in leaders_of(report.unit) if u.pk != actor.pk]
    title, body = render(
        "report_issued",
        unit=report.unit.name,
        what=report.get_kind_display(),
        period=report.period_label,
        version=number,
    )
    notify_many(
        recipients=recipients,
        kind=Notification.Kind.GENERAL,
        title=title,
        body=body,
        link=f"/desk/reports/{report.pk}/",
        dedupe_key=f"report:{report.pk}:v{number}",
        audience=Notification.Audience.STAFF,
        subject=f"report:{report.pk}",
    )


def report_start(*, actor: User, unit_id: int, kind: str, value: str) -> Report:
    """report_create from a page's or client's input: a unit id in the actor's scope and the
    period as written (2026-11 for a month, 2026 for a year)."""
    unit = figures_unit(actor, unit_id)
    if kind not in PERIOD_KIND:
        raise InvalidInput(_("报告类型应为月报或年度报告"), field="kind")
    period = period_of(PERIOD_KIND[Report.Kind(kind)], value.strip())
    return report_create(actor=actor, unit=unit, kind=kind, period=period)


def period_of(kind: str, value: str = "", start: str = "", end: str = "") -> Period:
    """parse_period with its error as the platform's InvalidInput (a clear 400, never a 500)."""
    try:
        return parse_period(kind, value, start, end)
    except PeriodError as exc:
        raise InvalidInput(exc.message, field="period") from None
