"""/api/v1/figures: any figure of the catalogue (统计口径) for any unit the caller may see and any
period, with the previous period and the same period last year, and its definition. Scoped like
the pages (shezhi.figures.selectors): a unit outside the caller's scope is 404; small counts of
sensitive figures are "<5" for those who may not see the list behind them."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from shezhi.api.errors import raises
from shezhi.api.schemas import ERRORS, MAX_ID
from shezhi.core.errors import ErrorCode
from shezhi.figures import selectors
from shezhi.figures.catalogue import BREAKDOWNS, FIGURES, GROUPS, Figure
from shezhi.figures.errors import FigureError
from shezhi.figures.periods import Period
from shezhi.figures.selectors import FigureValue
from shezhi.org.models import OrgUnit

router = Router(tags=["统计数据"])

Code = Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+$")]


class FigurePeriodQuery(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="单元编号；缺省为本人的单元")
    kind: str = Field("month", max_length=10, description="day、month、quarter、year 或 custom")
    value: str = Field("", max_length=30, description="如 2026-11、2026-Q4、2026、2026-11-05")
    start: str = Field("", max_length=10, description="自定义期间的开始日期")
    end: str = Field("", max_length=10, description="自定义期间的结束日期")


class FigureTableQuery(FigurePeriodQuery):
    codes: str = Field("", max_length=2000, description="以逗号分隔的指标编码；缺省为全部指标")


class FigureBreakdownQuery(FigurePeriodQuery):
    by: str = Field(..., max_length=20, description="分组方式，见指标的 breakdowns")


class FigureDefinitionOut(Schema):
    code: str
    name: str
    definition: str = Field(description="统计口径（怎样计数）")
    unit: str
    group: str
    group_label: str
    stock: bool = Field(description="true：期末存量；false：期内发生量")
    sensitive: bool = Field(description="小于5的数对无权查看名单的人显示为“<5”")
    breakdowns: dict[str, str] = Field(description="{分组方式: 名称}")


class FigureUnitOut(Schema):
    id: int
    name: str
    level: int
    level_label: str


class FigurePeriodOut(Schema):
    kind: str
    value: str
    label: str
    start: date
    end: date


class FigureValueOut(Schema):
    code: str
    label: str = Field("", description="分组项或下级单元的名称")
    unit_id: int
    value: int | float | None = Field(description="数值；null 表示不予显示（<5）或无从计算")
    shown: str
    previous: int | float | None
    previous_shown: str
    last_year: int | float | None
    last_year_shown: str
    change: float | None = Field(description="较上期的相对变化（0.1 即增长10%）")
    list_url: str | None = Field(description="可查看的明细列表地址（无权查看时为 null）")


class FigureTableOut(Schema):
    unit: FigureUnitOut
    period: FigurePeriodOut
    definitions: list[FigureDefinitionOut]
    values: list[FigureValueOut]


def _definition(f: Figure) -> dict:
    return {
        "code": f.code,
        "name": str(f.name),
        "definition": str(f.definition),
        "unit": f.unit,
        "group": f.group,
        "group_label": str(GROUPS[f.group]),
        "stock": f.stock,
        "sensitive": f.sensitive,
        "breakdowns": {b: str(BREAKDOWNS[b]) for b in f.breakdowns},
    }


def _unit(unit: OrgUnit) -> dict:
    return {
        "id": unit.pk,
        "name": unit.name,
        "level": unit.level,
        "level_label": unit.get_level_display(),
    }


def _period(p: Period) -> dict:
    return {"kind": p.kind, "value": p.value, "label": p.label, "start": p.start, "end": p.end}


def _num(value: Decimal | int | None) -> int | float | None:
    return float(value) if isinstance(value, Decimal) else value


def _value(v: FigureValue, label: str = "") -> dict:
    return {
        "code": v.figure.code,
        "label": label,
        "unit_id": v.unit.pk,
        "value": _num(v.value),
        "shown": v.shown,
        "previous": _num(v.previous),
        "previous_shown": v.previous_shown,
        "last_year": _num(v.last_year),
        "last_year_shown": v.last_year_shown,
        "change": v.change,
        "list_url": v.list_url,
    }


def _where(request: HttpRequest, q: FigurePeriodQuery) -> tuple[OrgUnit, Period]:
    unit = (
        selectors.figures_unit(request.auth, q.unit)
        if q.unit
        else selectors.figures_home_unit(request.auth)
    )
    return unit, selectors.figures_period(q.kind, q.value, q.start, q.end)


def _out(unit: OrgUnit, period: Period, figs: list[Figure], values: list[dict]) -> dict:
    return {
        "unit": _unit(unit),
        "period": _period(period),
        "definitions": [_definition(f) for f in figs],
        "values": values,
    }


@router.get(
    "/catalogue", response={200: list[FigureDefinitionOut], **ERRORS}, summary="全部指标及口径"
)
@raises(ErrorCode.NOT_FOUND)
def catalogue(request: HttpRequest):
    selectors.figures_home_unit(request.auth)  # staff only, like the figures themselves
    return [_definition(f) for f in FIGURES.values()]


@router.get("", response={200: FigureTableOut, **ERRORS}, summary="某单元某期间的指标")
@raises(ErrorCode.NOT_FOUND, FigureError.UNKNOWN_FIGURE, FigureError.BAD_PERIOD)
def figures(request: HttpRequest, q: Query[FigureTableQuery]):
    unit, period = _where(request, q)
    codes = [c.strip() for c in q.codes.split(",") if c.strip()] or None
    found = selectors.figures_for(actor=request.auth, unit=unit, period=period, codes=codes)
    return _out(unit, period, [v.figure for v in found], [_value(v) for v in found])


@router.get(
    "/{code}/trend", response={200: FigureTableOut, **ERRORS}, summary="指标逐月趋势（期间内各月）"
)
@raises(ErrorCode.NOT_FOUND, FigureError.UNKNOWN_FIGURE, FigureError.BAD_PERIOD)
def trend(request: HttpRequest, code: Code, q: Query[FigurePeriodQuery]):
    unit, period = _where(request, q)
    months = period.months()
    found = selectors.figure_trend(actor=request.auth, unit=unit, code=code, periods=months)
    return _out(
        unit,
        period,
        [FIGURES[code]],
        [_value(v, p.label) for v, p in zip(found, months, strict=True)],
    )


@router.get(
    "/{code}/children",
    response={200: FigureTableOut, **ERRORS},
    summary="指标按下级单元排名（从大到小）",
)
@raises(ErrorCode.NOT_FOUND, FigureError.UNKNOWN_FIGURE, FigureError.BAD_PERIOD)
def children(request: HttpRequest, code: Code, q: Query[FigurePeriodQuery]):
    unit, period = _where(request, q)
    found = selectors.figure_by_child_unit(actor=request.auth, unit=unit, code=code, period=period)
    return _out(unit, period, [FIGURES[code]], [_value(v, v.unit.name) for v in found])


@router.get("/{code}/breakdown", response={200: FigureTableOut, **ERRORS}, summary="指标分组")
@raises(
    ErrorCode.NOT_FOUND,
    FigureError.UNKNOWN_FIGURE,
    FigureError.UNKNOWN_BREAKDOWN,
    FigureError.BAD_PERIOD,
)
def breakdown(request: HttpRequest, code: Code, q: Query[FigureBreakdownQuery]):
    unit, period = _where(request, q)
    found = selectors.figure_breakdown(
        actor=request.auth, unit=unit, code=code, period=period, by=q.by
    )
    return _out(unit, period, [FIGURES[code]], [_value(v, label) for label, v in found])
