"""What a report says: the figures as published (a sensitive count under 5 is "<5" in any file,
whoever made it), the charts, and the month's highlights read through the domains' selectors."""

from datetime import timedelta
from decimal import Decimal

from shezhi.activities.attendance import checkin_manual
from shezhi.activities.models import SignUp
from shezhi.activities.tests.factories import START, activity, sign_up
from shezhi.figures.catalogue import FIGURES
from shezhi.figures.periods import Period
from shezhi.figures.selectors import FigureValue
from shezhi.reports import compose
from shezhi.reports.models import Report

NOVEMBER = Period.month(2026, 11)


def value(code, unit, now, previous=None, *, shown=None, change=None) -> FigureValue:
    """A FigureValue as a reader who may see the list behind it gets it (nothing suppressed)."""
    return FigureValue(
        figure=FIGURES[code],
        unit=unit,
        period=NOVEMBER,
        value=now,
        previous=previous,
        last_year=None,
        shown=shown if shown is not None else str(now),
        previous_shown="—" if previous is None else str(previous),
        last_year_shown="—",
        change=change,
        list_url=None,
    )


def test_small_sensitive_counts_are_published_as_under_five(world):
    unit = world.a["community"]
    cases = compose.figure_line(value("cases_opened", unit, 3, 8, change=-0.625))
    assert (cases.shown, cases.previous_shown, cases.change) == ("<5", "8", None)
    assert compose.figure_line(value("cases_opened", unit, 0, 2)).shown == "0"
    assert compose.figure_line(value("cases_opened", unit, 0, 2)).previous_shown == "<5"
    big = compose.figure_line(value("cases_opened", unit, 12, 10, change=0.2))
    assert (big.shown, big.change) == ("12", 0.2)
    # an average is not a count: its value does not say how few records lie behind it
    minutes = compose.figure_line(value("crisis_ack_minutes", unit, 3))
    assert minutes.shown == "3"
    # figures that are not sensitive are published as they are
    assert compose.figure_line(value("volunteers_registered", unit, 2)).shown == "2"
    hours = compose.figure_line(value("service_hours", unit, Decimal("2.5"), shown="2.5"))
    assert hours.shown == "2.5" and hours.group == "志愿者与队伍" and hours.unit == "小时"
    assert hours.definition  # the 口径 travels with the figure


def _on(days: int) -> dict:
    return {
        "starts_at": START + timedelta(days=days),
        "ends_at": START + timedelta(days=days, hours=2),
    }


def _attended(world, act, *volunteers):
    for user in volunteers:
        sign_up(user, act)
    for signup in SignUp.objects.filter(activity=act):
        at = act.starts_at + timedelta(minutes=5)
        checkin_manual(actor=world.alice, signup_id=signup.pk, reason="没带手机", at=at, now=at)


def test_highlights_name_the_activities_with_most_check_ins(world):
    big = activity(world.alice, world.a["community"], title="重阳敬老")
    _attended(world, big, world.bob, world.erin)
    small = activity(world.alice, world.a["community"], title="社区清洁", **_on(1))
    _attended(world, small, world.bob)
    activity(world.alice, world.a["community"], title="无人签到", **_on(2))
    later = activity(world.alice, world.a["community"], title="十二月活动", **_on(15))
    _attended(world, later, world.bob)

    items = compose.largest_activities(actor=world.sam, unit=world.a["street"], period=NOVEMBER)
    assert items == (
        "重阳敬老（11月20日，A社区）：签到 2 人次",
        "社区清洁（11月21日，A社区）：签到 1 人次",
    )
    # the outsider's scope holds none of them
    assert (
        compose.largest_activities(actor=world.charlie, unit=world.b["community"], period=NOVEMBER)
        == ()
    )


def test_a_street_report_has_every_figure_trends_and_the_ranking_of_its_communities(world):
    report = Report(
        unit=world.a["street"],
        kind=Report.Kind.MONTHLY,
        period_start=NOVEMBER.start,
        period_end=NOVEMBER.end,
        title="A街道社工站月报",
        narrative="小结",
        created_by=world.sam,
    )
    doc = compose.report_document(actor=world.sam, report=report, version=None)
    assert [f.code for f in doc.figures] == list(FIGURES)
    assert doc.draft and doc.status_label == "草稿" and doc.period_label == "2026年11月"
    (ranking,) = doc.charts  # trends of nothing but zeros are left out
    assert ranking.horizontal and ranking.labels == ("A社区",)
    assert [h.title for h in doc.highlights] == ["签到人次最多的活动", "已解决的需求（按类别）"]


def test_trend_charts_cover_six_months_or_the_twelve_of_a_year(world, monkeypatch):
    def trend(*, actor, unit, code, periods):
        return [value(code, unit, i + 1) for i, _p in enumerate(periods)]

    monkeypatch.setattr(compose, "figure_trend", trend)
    monthly = compose.charts(actor=world.sam, unit=world.a["community"], period=NOVEMBER)
    assert [c.title for c in monthly[:2]] == ["注册志愿者（近6个月）", "志愿服务时长（近6个月）"]
    assert monthly[0].values == (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    annual = compose.charts(actor=world.sam, unit=world.a["community"], period=Period.year(2026))
    assert len(annual[0].labels) == 12 and annual[0].title == "注册志愿者（各月）"
