"""Figures pages (统计数据): a unit's dashboard for leaders and supervisors, the glossary of every
figure's 口径 and the full-screen wall display (数据大屏). The numbers, their scope and the
suppression of small sensitive counts all come from `shezhi.figures.selectors`; these views only
choose what to ask for and shape it for the charts (drawn by static/shezhi/figures.js with the
vendored ECharts — no outside request)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shezhi.accounts.models import User
from shezhi.core.errors import Forbidden, NotFound
from shezhi.figures.catalogue import BREAKDOWNS, FIGURES, GROUPS, Figure
from shezhi.figures.periods import Period
from shezhi.figures.selectors import (
    FigureValue,
    figure_breakdown,
    figure_by_child_unit,
    figure_trend,
    figures_for,
    figures_home_unit,
    figures_unit,
    may_read_figures,
)
from shezhi.org.models import OrgUnit
from shezhi.web.figures.forms import FiguresForm

# The figures on top of the dashboard and on the wall screen, each with its sparkline: the ones
# every report quotes (volunteers, teams, hours, activities, people served, needs solved).
KEY_CODES = (
    "volunteers_registered",
    "teams",
    "service_hours",
    "activities_held",
    "participants_times",
    "people_served_times",
    "needs_received",
    "needs_solved",
)
DEFAULT_FOCUS = "service_hours"
# How many periods of the chosen kind a trend shows, ending with the chosen one.
TREND_LENGTH = {"day": 30, "month": 12, "quarter": 8, "year": 5}
# A sparkline shows the last few of them: each period costs the figures engine a filtered
# aggregate (three with the previous period and last year), and eight sparklines are drawn.
SPARK_LENGTH = 6
# The wall screen fetches fresh figures this often (they change as records are written).
SCREEN_REFRESH_SECONDS = 300
# The wall screen's ranking and breakdown (needs solved per community, needs by category).
SCREEN_RANKING = "needs_solved"
SCREEN_BREAKDOWN = ("needs_received", "category")


@dataclass(frozen=True)
class Tile:
    value: FigureValue
    change: str  # "+12.5%", "−3.0%" or "" when not meaningful
    direction: str  # "up", "down" or ""
    spark: dict[str, Any] | None  # chart data of the sparkline (key figures only)
    focus_url: str  # this page with the figure in focus (its trend, breakdowns and ranking)


def _guard(user: User) -> None:
    if not may_read_figures(user):
        raise PermissionDenied(_("只有工作人员可以查看统计数据"))


def _unit(user: User, unit_id: int | None) -> OrgUnit:
    """The unit asked for (404 outside the user's scope), else the user's own."""
    try:
        return figures_unit(user, unit_id) if unit_id else figures_home_unit(user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def _number(value: int | Decimal | None) -> float | None:
    return None if value is None else float(value)


def _change(fv: FigureValue, ended: bool = True) -> tuple[str, str]:
    """The change against the previous period as text and direction; none while the period is
    still running (a part of a month against a whole one would read as a fall)."""
    if fv.change is None or not ended:
        return "", ""
    percent = fv.change * 100
    if abs(percent) < 0.05:
        return "0%", ""
    sign, direction = ("+", "up") if percent > 0 else ("−", "down")
    return f"{sign}{abs(percent):.1f}%", direction


def trend_periods(period: Period) -> list[Period]:
    """The periods a trend shows: the chosen one and those of its kind just before it (a
    custom period: its months)."""
    if period.kind == "custom":
        months = period.months()
        return months if len(months) > 1 else [period]
    out = [period]
    for _i in range(TREND_LENGTH[period.kind] - 1):
        out.append(out[-1].previous())
    return out[::-1]


def _short_label(period: Period) -> str:
    """A chart axis label: "11月", "2026Q4", "2026", "11-05"."""
    if period.kind == "month":
        return f"{period.start.month}月" if period.start.month != 1 else f"{period.start.year}.1"
    if period.kind == "quarter":
        return f"{period.start.year}Q{(period.start.month - 1) // 3 + 1}"
    if period.kind == "year":
        return str(period.start.year)
    return period.start.strftime("%m-%d")


def _series(figure: Figure, names: Sequence[str], values: Sequence[FigureValue], **extra) -> dict:
    return {
        "name": str(figure.name),
        "unit": figure.unit,
        "names": [str(n) for n in names],
        "values": [_number(v.value) for v in values],
        "shown": [v.shown for v in values],
        "empty": not any(v.value for v in values),  # nothing to draw: the page says so instead
        **extra,
    }


def _trend(user: User, unit: OrgUnit, code: str, periods: list[Period]) -> dict:
    values = figure_trend(actor=user, unit=unit, code=code, periods=periods)
    return _series(FIGURES[code], [_short_label(p) for p in periods], values)


def _query(unit: OrgUnit, period: Period, **more: str) -> str:
    params = {"unit": str(unit.pk), "kind": period.kind}
    if period.kind == "custom":
        params |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    else:
        params["value"] = period.value
    return urlencode(params | more)


def _optional_url(name: str) -> str | None:
    """A page another part of the platform provides (e.g. the Excel export), if it is there."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _chain(user: User, unit: OrgUnit) -> list[OrgUnit]:
    """The units from the user's own down to `unit` (the breadcrumb), in one query."""
    home = figures_home_unit(user)
    parts = [p for p in unit.path.strip("/").split("/") if p]
    prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    rows = OrgUnit.objects.filter(path__in=prefixes, path__startswith=home.path)
    return sorted(rows, key=lambda u: len(u.path))


def _picker_context(user: User, form: FiguresForm, unit: OrgUnit, period: Period) -> dict:
    today = form.today
    if not form.is_bound:  # the pickers show the period on screen
        form.initial = {"kind": period.kind, "value": period.value}
    quick = [
        (_("本月"), Period.containing("month", today)),
        (_("上月"), Period.containing("month", today).previous()),
        (_("本季度"), Period.containing("quarter", today)),
        (_("本年"), Period.containing("year", today)),
    ]
    return {
        "form": form,
        "unit": unit,
        "period": period,
        "period_ended": period.ended(today),
        "chain": _chain(user, unit),
        "children": list(OrgUnit.objects.filter(parent=unit).order_by("path")),
        "quick": [(label, p, _query(unit, p), p == period) for label, p in quick],
        "query": _query(unit, period),
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    _guard(user)
    today = timezone.localdate()
    # The last whole month first: the figures a street reports upward (本月 is a click away).
    default = Period.containing("month", today).previous()
    form = FiguresForm(request.GET or None, today=today, default=default)
    unit = _unit(user, form.unit_id())
    period = form.period()
    ended = period.ended(today)
    focus = form.figure_code(DEFAULT_FOCUS)
    periods = trend_periods(period)
    context = _picker_context(user, form, unit, period)

    tiles: dict[str, list[Tile]] = {g: [] for g in GROUPS}
    key_tiles: list[Tile] = []
    for fv in figures_for(actor=user, unit=unit, period=period):
        code = fv.figure.code
        change, direction = _change(fv, ended)
        spark = _trend(user, unit, code, periods[-SPARK_LENGTH:]) if code in KEY_CODES else None
        tile = Tile(fv, change, direction, spark, "?" + _query(unit, period, figure=code))
        (key_tiles if code in KEY_CODES else tiles[fv.figure.group]).append(tile)

    ranking = figure_by_child_unit(actor=user, unit=unit, code=focus, period=period)
    breakdowns = [
        (
            by,
            BREAKDOWNS[by],
            _series(
                FIGURES[focus],
                [label for label, _v in rows],
                [v for _l, v in rows],
            ),
        )
        for by in FIGURES[focus].breakdowns
        for rows in [figure_breakdown(actor=user, unit=unit, code=focus, period=period, by=by)]
    ]
    focus_trend = _trend(user, unit, focus, periods)
    export = _optional_url("reports:figure_table_xlsx")
    context |= {
        "key_tiles": key_tiles,
        "figure_groups": [(GROUPS[g], ts) for g, ts in tiles.items() if ts],
        "focus": FIGURES[focus],
        "focus_trend": focus_trend,
        "ranking": [
            (fv, "?" + _query(fv.unit, period, figure=focus), _change(fv, ended)[0])
            for fv in ranking
        ],
        "ranking_chart": _series(
            FIGURES[focus],
            [fv.unit.name for fv in ranking],
            ranking,
            links=["?" + _query(fv.unit, period, figure=focus) for fv in ranking],
        ),
        "breakdowns": breakdowns,
        "trend_rows": list(zip(focus_trend["names"], focus_trend["shown"], strict=True)),
        "export_url": f"{export}?{context['query']}" if export else None,
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/figures/home.html", context, status=status)


@login_required
@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """Every figure's 口径, grouped as on the dashboard, so two readers mean the same number."""
    _guard(request.user)
    groups = [
        (
            label,
            [
                (f, "、".join(str(BREAKDOWNS[b]) for b in f.breakdowns))
                for f in FIGURES.values()
                if f.group == code
            ],
        )
        for code, label in GROUPS.items()
    ]
    return render(
        request,
        "web/figures/glossary.html",
        {"figure_groups": [(label, figs) for label, figs in groups if figs]},
    )


@login_required
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    """The wall screen of a station or street office: the key figures of this month, large, on a
    dark background; the page fetches itself again every few minutes."""
    user = request.user
    _guard(user)
    today = timezone.localdate()
    # This year so far: the running totals a wall screen shows (any period may be asked for).
    form = FiguresForm(request.GET or None, today=today, default=Period.containing("year", today))
    unit = _unit(user, form.unit_id())
    period = form.period()
    # The trend's months end with the last whole one (a month just begun would read as a fall).
    periods = trend_periods(Period.containing("month", min(period.end, today)).previous())
    key = []
    for fv in figures_for(actor=user, unit=unit, period=period, codes=KEY_CODES):
        change, direction = _change(fv, period.ended(today))
        key.append(Tile(fv, change, direction, None, ""))
    ranking = figure_by_child_unit(actor=user, unit=unit, code=SCREEN_RANKING, period=period)
    code, by = SCREEN_BREAKDOWN
    split = figure_breakdown(actor=user, unit=unit, code=code, period=period, by=by)
    context = {
        "unit": unit,
        "period": period,
        "period_ended": period.ended(today),
        "key_tiles": key,
        "trend": _trend(user, unit, DEFAULT_FOCUS, periods),
        "ranking": _series(
            FIGURES[SCREEN_RANKING], [fv.unit.name for fv in ranking[:10]], ranking[:10]
        ),
        "split": _series(FIGURES[code], [label for label, _v in split], [v for _l, v in split]),
        "split_title": f"{FIGURES[code].name} · {BREAKDOWNS[by]}",
        "refresh": SCREEN_REFRESH_SECONDS,
        "updated": timezone.localtime(),
    }
    return render(request, "web/figures/screen.html", context)
