"""Scoped reads of reports: a report of a unit outside the actor's scope is "not found"."""

from django.db.models import QuerySet

from shezhi.accounts.models import User
from shezhi.accounts.scoping import sees_everything
from shezhi.core.errors import DomainError, NotFound
from shezhi.figures.selectors import figures_home_unit
from shezhi.org.models import Level, OrgUnit
from shezhi.reports.models import Report, ReportVersion
from shezhi.reports.permissions import may_read_reports


def reports_visible_to(actor: User) -> QuerySet[Report]:
    """The reports of the actor's unit and the units below it (the figures' scope)."""
    qs = Report.objects.select_related("unit")
    if not may_read_reports(actor):
        return qs.none()
    if sees_everything(actor):
        return qs
    try:
        home = figures_home_unit(actor)
    except DomainError:
        return qs.none()  # no unit: nothing to see
    return qs.filter(unit__path__startswith=home.path)


def report_list(
    *, actor: User, unit_id: int | None = None, kind: str = "", status: str = ""
) -> QuerySet[Report]:
    qs = reports_visible_to(actor)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period_start", "unit__path", "kind", "id")


def report_get(*, actor: User, report_id: int) -> Report:
    report = reports_visible_to(actor).filter(pk=report_id).first()
    if report is None:
        raise NotFound("未找到该报告")
    return report


def report_versions(report: Report) -> QuerySet[ReportVersion]:
    """The archived versions, newest first, without their files (they are loaded on download)."""
    return (
        ReportVersion.objects.filter(report=report)
        .defer("pdf", "xlsx", "content")
        .select_related("issued_by")
        .order_by("-number")
    )


def version_get(*, actor: User, report_id: int, number: int) -> ReportVersion:
    report = report_get(actor=actor, report_id=report_id)
    version = ReportVersion.objects.filter(report=report, number=number).first()
    if version is None:
        raise NotFound("未找到该版本", field="version")
    version.report = report
    return version


DRAFTABLE_UNITS = 500


def draftable_units(*, actor: User) -> list[tuple[int, str]]:
    """(id, indented name) of the units a drafter may report on: their home unit and those below
    it down to the communities (compounds and grids send no reports of their own)."""
    home = figures_home_unit(actor)
    units = OrgUnit.objects.within(home).filter(level__lte=max(Level.COMMUNITY, home.level))
    return [
        (u.pk, "　" * (u.level - home.level) + u.name)
        for u in units.order_by("path")[:DRAFTABLE_UNITS]
    ]
