"""The figures pages: a street leader's dashboard of their street (figures, comparisons, trend,
ranking of communities, drill-down), the glossary of 口径, the wall screen; scoping (another
street's unit is not found), refusals for roles that do not read figures, clear Chinese errors for
a bad period or figure, small sensitive counts hidden from those who may not see the list, a
fixed number of queries however many units and records there are, and the nav entry."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.accounts.models import Role
from shezhi.accounts.tests.factories import UserFactory
from shezhi.cases.tests.factories import open_case
from shezhi.figures.catalogue import FIGURES
from shezhi.figures.periods import Period
from shezhi.org.models import Level
from shezhi.org.tests.factories import OrgUnitFactory
from shezhi.people.tests.factories import ResidentFactory
from shezhi.volunteers.tests.factories import VolunteerFactory, record
from shezhi.web.figures.views import trend_periods
from shezhi.web.navigation import nav_for, start_page

HOME = "/desk/figures/"


def _this_month() -> dict[str, str]:
    """This month, asked for (the dashboard opens on the last whole month)."""
    return {"kind": "month", "value": Period.containing("month", timezone.localdate()).value}


@pytest.fixture
def leader(world):
    """The street leader (街道管理员) of street A."""
    return UserFactory(role=Role.STREET_ADMIN, unit=world.a["street"], username="leader")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes whose figures count: rollups are kept current on commit, which the test's own
    transaction never reaches."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _get(client: Client, user, url: str, **params):
    client.force_login(user)
    return client.get(url, params)


def _served(world, community=None, minutes=120):
    community = community or world.a["community"]
    volunteer = VolunteerFactory(community=community)
    # Sam (the street's supervisor) may record for every community of street A
    return record(
        world.sam, volunteer, community, minutes=minutes, service_date=timezone.localdate()
    )


def _text(response) -> str:
    return response.content.decode()


def test_street_leader_sees_the_streets_figures_with_comparisons_and_ranking(
    client, world, leader, committed
):
    with committed():
        _served(world, minutes=180)
    response = _get(client, leader, HOME, **_this_month())
    page = _text(response)
    assert response.status_code == 200
    assert "A街道 · 数据看板" in page
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月" in page and "（截至今日）" in page
    assert "上期" in page and "去年同期" in page
    hours = re.search(r'data-testid="value-service_hours">([^<]+)<', page)
    assert hours and hours.group(1) == "3"
    # the trend, the ranking of communities (linking to each one's figures) and the sparklines
    assert 'data-chart="trend-data"' in page and 'id="trend-data"' in page
    assert 'data-testid="ranking"' in page and f"unit={world.a['community'].pk}" in page
    assert page.count('data-kind="spark"') == 8
    # every figure of the catalogue is on the page, each with its 口径 a click away
    for code in FIGURES:
        assert f"#{code}" in page, code
    # the leader may see the records list: the figure drills down to it
    assert 'data-testid="drill-list-service_hours" href="/desk/records/"' in page.replace(
        'href="/desk/records/" data-testid="drill-list-service_hours"',
        'data-testid="drill-list-service_hours" href="/desk/records/"',
    )


def test_a_community_is_reached_from_the_street_and_its_figures_are_its_own(
    client, world, leader, committed
):
    other = OrgUnitFactory(level=Level.COMMUNITY, parent=world.a["street"], name="A二社区")
    with committed():
        _served(world, minutes=60)
        _served(world, community=other, minutes=240)
    page = _text(_get(client, leader, HOME, unit=other.pk, **_this_month()))
    assert "A二社区 · 数据看板" in page
    assert re.search(r'data-testid="value-service_hours">4<', page)
    street = _text(_get(client, leader, HOME, **_this_month()))
    assert re.search(r'data-testid="value-service_hours">5<', street)
    # ranking: largest first
    ranking = street[street.index('data-testid="ranking"') :]
    assert ranking.index("A二社区") < ranking.index("A社区")


def test_another_streets_unit_is_not_found_and_outsiders_are_refused(client, world, leader):
    for url in (HOME, HOME + "screen/"):
        assert _get(client, leader, url, unit=world.b["community"].pk).status_code == 404
        assert _get(client, world.charlie, url, unit=world.a["street"].pk).status_code == 404
        assert _get(client, leader, url, unit=999_999_999).status_code == 404
    for outsider in (world.bob, world.dora, world.partner_user):
        for url in (HOME, HOME + "glossary/", HOME + "screen/"):
            assert _get(client, outsider, url).status_code == 403, (outsider.role, url)
    client.logout()
    assert client.get(HOME).status_code == 302  # to the log-in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "早于开始日期"),
        ({"kind": "custom", "start": "2010-01-01", "end": "2026-01-01"}, "不能超过10年"),
        ({"kind": "month", "value": "2026-13"}, "月份"),
        ({"kind": "month", "value": "十一月"}, "格式不对"),
        ({"kind": "week"}, "统计周期"),
        ({"figure": "nonsense"}, "没有编码为“nonsense”的统计指标"),
    ],
    ids=["end-before-start", "over-ten-years", "month-13", "bad-month", "bad-kind", "bad-figure"],
)
def test_bad_input_is_a_clear_chinese_message_not_a_500(client, world, leader, params, message):
    response = _get(client, leader, HOME, **params)
    assert response.status_code == 400
    page = _text(response)
    assert message in page and 'class="form-errors"' in page
    assert "A街道 · 数据看板" in page  # this month's figures are still shown below the message


def test_a_chosen_period_and_figure_are_shown(client, world, leader):
    page = _text(
        _get(client, leader, HOME, kind="quarter", value="2026-Q1", figure="needs_received")
    )
    assert "2026年第1季度" in page and "2025年第4季度" in page and "2025年第1季度" in page
    assert "按类别" in page and "按紧急程度" in page  # needs received by category and urgency


def test_a_custom_period_is_read_from_its_first_and_last_day(client, world, leader):
    page = _text(_get(client, leader, HOME, kind="custom", start="2026-01-01", end="2026-03-31"))
    assert "2026年1月1日至2026年3月31日" in page
    assert '<label class="fig-custom">' in page  # its day fields are shown, the value field not
    assert '<label class="fig-value-field" hidden>' in page


def test_the_dashboard_opens_on_the_last_whole_month_with_its_changes(client, world, leader):
    page = _text(_get(client, leader, HOME))
    last = Period.containing("month", timezone.localdate()).previous()
    assert f"<strong>{last.label}</strong>" in page and "（截至今日）" not in page
    assert 'aria-current="true">上月</a>' in page
    assert f'name="value" value="{last.value}"' in page  # the picker shows what is shown


def test_small_sensitive_counts_are_hidden_from_those_who_may_not_see_the_list(
    client, world, committed
):
    with committed():
        open_case(world.alice, ResidentFactory(grid=world.a["grid"]))
    # Alice (community social worker) may not see the unit's case list: "<5", and no link to it
    alice = _text(_get(client, world.alice, HOME, figure="cases_opened"))
    row = re.search(r'data-testid="row-cases_opened">.*?</tr>', alice, re.S).group(0)
    assert "&lt;5" in row and "/desk/cases/" not in row
    # Sam (the street's supervisor) sees the case list: the real number and the drill-down
    sam = _text(_get(client, world.sam, HOME, unit=world.a["community"].pk))
    row = re.search(r'data-testid="row-cases_opened">.*?</tr>', sam, re.S).group(0)
    assert "<strong>1</strong>" in row and 'href="/desk/cases/"' in row


def test_glossary_defines_every_figure(client, world):
    page = _text(_get(client, world.alice, HOME + "glossary/"))
    for code, fig in FIGURES.items():
        assert f'id="{code}"' in page
        assert str(fig.definition).replace("“", "&ldquo;")[:10] in page or str(fig.definition)[
            :10
        ] in page.replace("&ldquo;", "“").replace("&rdquo;", "”")


def test_wall_screen_is_dark_large_and_refreshes_itself(client, world, leader, committed):
    with committed():
        _served(world, minutes=120)
    response = _get(client, leader, HOME + "screen/")
    page = _text(response)
    assert response.status_code == 200
    assert 'class="fig-screen"' in page and 'data-refresh="300"' in page
    assert 'class="nav"' not in page  # the full screen has no menu
    assert "A街道志愿服务数据" in page
    assert re.search(r'data-testid="screen-service_hours">.*?2<small>', page, re.S)
    # nothing in the last twelve whole months, no need received: each panel says so
    assert 'data-chart="screen-' not in page and page.count("暂无数据") == 3


def test_pages_load_nothing_from_outside(client, world, leader):
    for url in (HOME, HOME + "glossary/", HOME + "screen/"):
        page = _text(_get(client, leader, url))
        for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
            assert ref.startswith(("/", "?", "#")), (url, ref)
        assert "/static/vendor/echarts/echarts.min.js" in page or url.endswith("glossary/")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_dashboard_runs_a_fixed_number_of_queries(client, world, leader, committed):
    client.force_login(leader)
    with committed():
        _served(world)
    client.get(HOME)  # warm caches once
    few = {url: _queries(client, url) for url in (HOME, HOME + "screen/")}
    for i in range(4):  # more communities, more records in each
        community = OrgUnitFactory(level=Level.COMMUNITY, parent=world.a["street"], name=f"新{i}")
        with committed():
            for _ in range(3):
                _served(world, community=community)
    many = {url: _queries(client, url) for url in (HOME, HOME + "screen/")}
    assert many == few


def test_trend_shows_periods_of_the_chosen_kind_ending_with_it():
    months = trend_periods(Period.month(2026, 3))
    assert len(months) == 12 and months[0] == Period.month(2025, 4) and months[-1].start.month == 3
    assert [p.label for p in trend_periods(Period.year(2026))][0] == "2022年"
    custom = trend_periods(Period.custom(Period.month(2026, 1).start, Period.month(2026, 3).end))
    assert [p.kind for p in custom] == ["month"] * 3
    day = Period.day(timezone.localdate())
    assert trend_periods(Period.custom(day.start, day.start + timedelta(days=3))) == [
        Period.custom(day.start, day.start + timedelta(days=3))
    ]


def test_leaders_have_the_dashboard_in_their_menu_and_street_admins_start_on_it(world, leader):
    district = UserFactory(role=Role.DISTRICT_ADMIN, unit=world.a["district"])
    for user in (leader, district, world.sam):
        assert "figures:home" in {e.url_name for g in nav_for(user, HOME) for e in g.entries}
    assert start_page(leader) == start_page(district) == "figures:home"
    assert start_page(world.sam) == "cases:list"  # the supervisor's day starts with caseloads
    alice_menu = {e.url_name for g in nav_for(world.alice, "/desk/") for e in g.entries}
    assert "figures:home" not in alice_menu


def test_desk_home_links_every_staff_member_to_their_units_figures(client, world):
    page = _text(_get(client, world.alice, "/desk/"))
    assert 'data-testid="figures-link"' in page
    alice = _text(_get(client, world.alice, HOME))
    assert "A社区 · 数据看板" in alice
