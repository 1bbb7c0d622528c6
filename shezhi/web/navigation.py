"""The main navigation and each role's start page, from the rights the pages themselves check.

`nav_for(user, path)` returns the groups of entries a user may open, grouped by task
(今日工作, 需求与派单, 志愿者, 关爱走访, 个案, 活动, 设置), the current page marked. base.html
only renders them; no role name is typed into a template. `start_page(user)` names where `/` sends
each role: its daily work."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shezhi.accounts.models import HELPER_ROLES, Role, User
from shezhi.care.permissions import CareAction, care_actions_for
from shezhi.cases.permissions import CaseDeskAction, case_desk_actions_for
from shezhi.reports.permissions import may_read_reports
from shezhi.timebank.permissions import DESK_ROLES as TIMEBANK_DESK_ROLES
from shezhi.volunteers.services import RECORDING_ROLES

IMPORT_ROLES = frozenset({*RECORDING_ROLES, Role.SYSTEM_ADMIN})
# Roles who work the street: their "today" is the list of residents to visit.
VISITING_ROLES = frozenset({Role.GRID_WORKER, Role.SOCIAL_WORKER})
# Roles who lead a street or district or supervise its work: the figures of their area are their
# daily view (the dashboard in their menu; the street and district admins start on it).
FIGURES_ROLES = frozenset({Role.STREET_ADMIN, Role.DISTRICT_ADMIN, Role.SUPERVISOR})
FIGURES_START_ROLES = frozenset({Role.STREET_ADMIN, Role.DISTRICT_ADMIN})
# Helpers with a volunteer record: their own page, activities and care visits.
VOLUNTEER_ROLES = frozenset({Role.VOLUNTEER, Role.TEAM_LEADER})


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    testid: str = ""
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class NavGroup:
    label: str  # empty for a one-group menu (residents, volunteers)
    entries: tuple[NavEntry, ...]


def _staff_groups(user: User) -> list[tuple[str, list[tuple[str, str, str]]]]:
    role = user.role
    admin = user.is_superuser
    today = [("desk:home", _("工作台"), "")]
    if role in FIGURES_ROLES:
        today.append(("figures:home", _("数据看板"), "nav-figures"))
    if role in VISITING_ROLES:
        today.append(("care:today", _("今日走访"), "nav-today"))
        today.append(("m:behalf", _("代居民点单"), "nav-behalf"))
    if role in HELPER_ROLES:
        today.append(("m:orders", _("我的接单"), ""))
    if may_read_reports(user):  # the monthly and annual reports sent upward
        today.append(("reports:list", _("统计报告"), "nav-reports"))
    needs = [("desk:needs", _("民情台账"), ""), ("desk:need_new", _("登记需求"), "")]
    if user.can_dispatch:
        needs.append(("desk:dispatch_bulk", _("一键派单"), ""))
    needs.append(("desk:residents", _("居民"), ""))
    needs.append(("privacy:desk", _("个人信息请求"), "nav-privacy"))
    volunteers = [
        ("desk:volunteers", _("志愿者"), ""),
        ("desk:records", _("服务记录"), ""),
        ("desk:late_records", _("补录审批"), ""),
        ("desk:held_records", _("时长确认"), ""),
        ("desk:corrections", _("更正申请"), ""),
        ("desk:teams", _("服务队"), ""),
    ]
    if role in TIMEBANK_DESK_ROLES or admin:
        volunteers.append(("timebank:desk", _("时间银行"), ""))
    care = [("care:registry", _("关爱名册"), "")]
    if CareAction.VIEW_COVERAGE in care_actions_for(user):
        care.append(("care:coverage", _("走访覆盖率"), ""))
    cases = []
    case_desk = case_desk_actions_for(user)
    if CaseDeskAction.OPEN_CASE in case_desk:
        cases.append(("cases:list", _("个案"), "nav-cases"))
    if CaseDeskAction.EMERGENCY_ACCESS in case_desk:
        cases.append(("cases:emergency", _("个案紧急访问"), "nav-case-emergency"))
    settings = []
    if role in IMPORT_ROLES or admin:
        settings.append(("desk:imports", _("导入导出"), ""))
    return [
        (_("今日工作"), today),
        (_("需求与派单"), needs),
        (_("志愿者"), volunteers),
        (_("关爱走访"), care),
        (_("个案"), cases),
        (_("活动"), [("activities:desk_list", _("志愿活动"), "")]),
        (_("设置"), settings),
    ]


def _helper_groups(user: User) -> list[tuple[str, list[tuple[str, str, str]]]]:
    entries = [("m:orders", _("订单"), "")]
    if user.role in VOLUNTEER_ROLES:
        entries += [
            ("m:me", _("我的"), ""),
            ("activities:mine", _("志愿活动"), ""),
            ("care:today", _("关爱走访"), ""),
        ]
    if user.role == Role.TEAM_LEADER:  # organises the team's activities on the desk pages
        entries.append(("activities:desk_list", _("组织活动"), "nav-organise"))
    entries += [
        ("m:hours", _("服务时长"), ""),
        ("proofs:mine", _("服务证明"), ""),
        ("timebank:mine", _("时间银行"), ""),
    ]
    return [("", entries)]


def _resident_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    return [
        (
            "",
            [
                ("m:home", _("我要点单"), ""),
                ("m:my_needs", _("我的订单"), ""),
                ("timebank:mine", _("时间银行"), ""),
                ("activities:to_rate", _("活动评价"), "nav-rate"),
                ("privacy:mine", _("我的信息"), "nav-privacy"),
            ],
        )
    ]


def nav_for(user: User, path: str) -> list[NavGroup]:
    """The groups of entries this user may open; the entry whose address is the longest
    prefix of `path` is the current page (one at most)."""
    if not user.is_authenticated:
        return []
    if user.role == Role.RESIDENT:
        raw = _resident_groups()
    elif user.is_staff_role or user.is_superuser:
        raw = _staff_groups(user)
    else:
        raw = _helper_groups(user)
    resolved = [
        (label, [(name, text, testid, reverse(name)) for name, text, testid in entries])
        for label, entries in raw
        if entries
    ]
    matches = [url for _l, es in resolved for *_rest, url in es if path.startswith(url)]
    current = max(matches, key=len, default=None)
    return [
        NavGroup(
            label=str(label),
            entries=tuple(
                NavEntry(name, str(text), testid, url, url == current)
                for name, text, testid, url in entries
            ),
        )
        for label, entries in resolved
    ]


def start_page(user: User) -> str:
    """Where `/` sends the user: the page of their daily work (a URL name)."""
    if user.role == Role.RESIDENT:
        return "m:home"
    if user.role == Role.GRID_WORKER:
        return "care:today"  # today's visits
    if user.role == Role.SUPERVISOR:
        return "cases:list"  # caseloads, overdue reviews, high-risk cases
    if user.role in FIGURES_START_ROLES:
        return "figures:home"  # their area's figures, trends and ranking of communities
    if user.is_staff_role or user.is_superuser:
        return "desk:home"  # counts and what needs attention
    return "m:orders"
