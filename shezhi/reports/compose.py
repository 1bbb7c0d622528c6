"""Building a report's document from the figures (shezhi.figures selectors) and the period's
highlights (the domains' own selectors), as the actor sees them.

What leaves the platform as a file is published: a sensitive figure's count from 1 to 4 is
written "<5" whoever asks, even for a reader who may see the list behind it, so that no printed
or forwarded report can single a person out."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities.models import Activity
from shezhi.activities.selectors import activities_organised
from shezhi.figures.catalogue import FIGURES, GROUPS
from shezhi.figures.periods import Period
from shezhi.figures.selectors import (
    SUPPRESS_BELOW,
    SUPPRESSED,
    FigureValue,
    figure_breakdown,
    figure_by_child_unit,
    figure_trend,
    figures_for,
)
from shezhi.org.models import OrgUnit, Station
from shezhi.reports.document import Chart, FigureLine, Highlights, ReportDocument
from shezhi.reports.models import Report

TREND_MONTHS = 6  # a monthly report's trend charts: this month and the five before
RANKED_UNITS = 12
HIGHLIGHTS = 5
# The figures drawn as charts, when the catalogue has them (first one present wins per chart).
TREND_CODES = ("volunteers_registered", "service_hours", "activities_held", "needs_solved")
RANK_CODES = ("service_hours", "volunteers_registered", "activities_held")
SOLVED_CODES = ("needs_solved",)

Number = int | Decimal | None


# Units of figures that are averages or rates, not counts of people or events: their value
# says nothing about how few records lie behind it (the selectors suppress those for readers
# who may not see the list, by the count behind them).
NOT_COUNTS = frozenset({"分钟", "分", "%"})


def _published(value: Number, shown: str, sensitive: bool, unit: str = "") -> str:
    if sensitive and unit not in NOT_COUNTS and value is not None and 0 < value < SUPPRESS_BELOW:
        return SUPPRESSED
    return shown


def figure_line(fv: FigureValue) -> FigureLine:
    f = fv.figure
    unit, sensitive = str(f.unit), f.sensitive
    shown = _published(fv.value, fv.shown, sensitive, unit)
    previous = _published(fv.previous, fv.previous_shown, sensitive, unit)
    change = fv.change
    if SUPPRESSED in (shown, previous):
        change = None  # a change between two small counts would tell what "<5" hides
    return FigureLine(
        code=f.code,
        group=str(GROUPS.get(f.group, f.group)),
        name=str(f.name),
        unit=unit,
        shown=shown,
        previous_shown=previous,
        last_year_shown=_published(fv.last_year, fv.last_year_shown, sensitive, unit),
        change=change,
        definition=str(f.definition),
    )


def figure_lines(values: Sequence[FigureValue]) -> list[FigureLine]:
    return [figure_line(fv) for fv in values]


def _chart_value(fv: FigureValue) -> float | None:
    f = fv.figure
    if fv.value is None or _published(fv.value, "", f.sensitive, str(f.unit)) == SUPPRESSED:
        return None
    return float(fv.value)


def _first_code(codes: Sequence[str]) -> str | None:
    return next((c for c in codes if c in FIGURES), None)


def _trend_periods(period: Period) -> list[Period]:
    if period.kind == "year":
        return period.months()
    periods = [period]
    while len(periods) < TREND_MONTHS:
        periods.insert(0, periods[0].previous())
    return periods


def _month_label(p: Period) -> str:
    return f"{p.start.month}月" if p.kind == "month" else p.label


def charts(*, actor: User, unit: OrgUnit, period: Period) -> list[Chart]:
    out = []
    periods = _trend_periods(period)
    for code in TREND_CODES:
        if code not in FIGURES:
            continue
        trend = figure_trend(actor=actor, unit=unit, code=code, periods=periods)
        if not any(_chart_value(fv) for fv in trend):
            continue  # a chart of nothing tells nothing: the next figure instead
        figure = FIGURES[code]
        what = "各月" if period.kind == "year" else f"近{len(periods)}个月"
        out.append(
            Chart(
                title=f"{figure.name}（{what}）",
                unit=str(figure.unit),
                labels=tuple(_month_label(fv.period) for fv in trend),
                values=tuple(_chart_value(fv) for fv in trend),
            )
        )
        if len(out) == 2:
            break
    code = _first_code(RANK_CODES)
    if code and unit.children.exists():
        ranked = figure_by_child_unit(actor=actor, unit=unit, code=code, period=period)
        ranked = ranked[:RANKED_UNITS]
        if ranked:
            figure = FIGURES[code]
            out.append(
                Chart(
                    title=f"各下级单位{figure.name}",
                    unit=str(figure.unit),
                    labels=tuple(fv.unit.name for fv in ranked),
                    values=tuple(_chart_value(fv) for fv in ranked),
                    horizontal=True,
                )
            )
    return out


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start, end


def largest_activities(*, actor: User, unit: OrgUnit, period: Period) -> tuple[str, ...]:
    """The period's activities in the unit with the most check-ins (人次), largest first."""
    start, end = _bounds(period)
    rows = (
        activities_organised(actor=actor)
        .filter(organiser_unit__path__startswith=unit.path, starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[Activity.Status.CANCELLED, Activity.Status.DRAFT])
        .annotate(checked_in=Count("attendances", distinct=True))
        .filter(checked_in__gt=0)
        .order_by("-checked_in", "starts_at", "id")[:HIGHLIGHTS]
    )
    items = []
    for a in rows:
        day = timezone.localtime(a.starts_at)
        where = f"{day.month}月{day.day}日，{a.organiser_unit.name}"
        items.append(f"{a.title}（{where}）：签到 {a.checked_in} 人次")
    return tuple(items)


def solved_by_category(*, actor: User, unit: OrgUnit, period: Period) -> tuple[str, ...]:
    code = _first_code(SOLVED_CODES)
    if code is None or "category" not in FIGURES[code].breakdowns:
        return ()
    rows = figure_breakdown(actor=actor, unit=unit, code=code, period=period, by="category")
    shown = [
        (label, fv)
        for label, fv in rows
        if fv.value is None or fv.value > 0  # the categories with something solved
    ]
    shown.sort(key=lambda r: -(r[1].value or 0))
    unit_label = str(FIGURES[code].unit)
    return tuple(
        f"{label}：{_published(fv.value, fv.shown, fv.figure.sensitive, unit_label)} {unit_label}"
        for label, fv in shown[:HIGHLIGHTS]
    )


def highlights(*, actor: User, unit: OrgUnit, period: Period) -> list[Highlights]:
    return [
        Highlights("签到人次最多的活动", largest_activities(actor=actor, unit=unit, period=period)),
        Highlights(
            "已解决的需求（按类别）", solved_by_category(actor=actor, unit=unit, period=period)
        ),
    ]


def station_name(unit: OrgUnit) -> str:
    """The unit's own social-work station, if it has one, else the unit."""
    station = Station.objects.filter(unit=unit).order_by("id").first()
    return station.name if station else unit.name


def default_title(unit: OrgUnit, kind: str) -> str:
    name = station_name(unit)
    return f"{name}{'年度报告' if kind == Report.Kind.ANNUAL else '月报'}"[:80]


def report_period(report: Report) -> Period:
    if report.kind == Report.Kind.ANNUAL:
        return Period.year(report.period_start.year)
    return Period.month(report.period_start.year, report.period_start.month)


def report_document(
    *, actor: User, report: Report, version: int | None, now: datetime | None = None
) -> ReportDocument:
    """The report as it reads now; `version` None for a draft's preview."""
    period = report_period(report)
    unit = report.unit
    now = timezone.localtime(now or timezone.now())
    return ReportDocument(
        title=report.title,
        unit_name=unit.name,
        period_label=period.label,
        status_label="草稿" if version is None else f"第 {version} 版",
        generated_at=now.replace(tzinfo=None),
        platform=str(settings.SHEZHI_SITE_NAME) or "社志通",
        figures=figure_lines(figures_for(actor=actor, unit=unit, period=period)),
        charts=charts(actor=actor, unit=unit, period=period),
        highlights=highlights(actor=actor, unit=unit, period=period),
        narrative=report.narrative,
        author=station_name(unit),
        draft=version is None,
    )


def figure_table(*, actor: User, unit: OrgUnit, period: Period) -> list[FigureLine]:
    """Every figure of a unit and period, published as in a report (the Excel export)."""
    return figure_lines(figures_for(actor=actor, unit=unit, period=period))
