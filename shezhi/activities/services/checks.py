"""The checks of a new (or edited) activity: its organiser, times, place, publication scope and
positions, each a small named check, all run by `check_activity`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import geo
from shezhi.activities.models import (
    DEFAULT_CANCEL_CUTOFF_HOURS,
    Activity,
)
from shezhi.activities.services.access import (
    leads_team,
)
from shezhi.activities.services.common import (
    MAX_QUOTA,
)
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_int, clean_text
from shezhi.org.models import Level, OrgUnit, Station
from shezhi.volunteers.models import (
    Certificate,
    ServiceCategory,
    SkillTag,
    Team,
)
from shezhi.volunteers.services import (
    GUARDIAN_AGE,
    may_record_for,
)


@dataclass(frozen=True)
class PositionSpec:
    name: str
    quota: int
    duties: str = ""
    skills: Sequence[str] = ()  # SkillTag codes or names
    certificates: Sequence[str] = ()  # Certificate.Kind values
    min_age: int | None = None
    max_age: int | None = None
    hazardous: bool = False


def position_fields(spec: PositionSpec, i: int) -> tuple[dict[str, Any], list[SkillTag]]:
    where = f"第{i + 1}个岗位的"
    name = clean_text(spec.name, field="positions", label=f"{where}名称", max_length=60)
    quota = clean_int(
        spec.quota, field="positions", label=f"{where}招募人数", low=1, high=MAX_QUOTA
    )
    ages = []
    for value in (spec.min_age, spec.max_age):
        ages.append(
            None
            if value is None
            else clean_int(value, field="positions", label=f"{where}年龄", low=0, high=120)
        )
    min_age, max_age = ages
    if min_age is not None and max_age is not None and max_age < min_age:
        raise InvalidInput(f"{where}最高年龄不能小于最低年龄", field="positions")
    if spec.hazardous and min_age is not None and min_age < GUARDIAN_AGE:
        raise InvalidInput(
            f"{where}危险性岗位不得招募未成年人，最低年龄应不小于{GUARDIAN_AGE}岁",
            field="positions",
        )
    if spec.hazardous and max_age is not None and max_age < GUARDIAN_AGE:
        raise InvalidInput(f"{where}危险性岗位不得招募未成年人", field="positions")
    bad = [c for c in spec.certificates if c not in Certificate.Kind.values]
    if bad:
        raise InvalidInput(f"{where}证书类型不正确：{'、'.join(bad[:5])}", field="positions")
    wanted = [str(s).strip() for s in spec.skills if str(s).strip()]
    tags = list(SkillTag.objects.filter(Q(code__in=wanted) | Q(name__in=wanted)))
    known = {t.code for t in tags} | {t.name for t in tags}
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise InvalidInput(f"{where}所需技能未知：{'、'.join(unknown[:5])}", field="positions")
    fields = {
        "name": name,
        "duties": clean_text(
            spec.duties, field="positions", label="岗位职责", max_length=300, required=False
        ),
        "quota": quota,
        "certificates": sorted(set(spec.certificates)),
        "min_age": min_age,
        "max_age": max_age,
        "hazardous": bool(spec.hazardous),
    }
    return fields, tags


def aware_datetime(value: Any, *, field: str, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(f"请填写{label}", field=field)
    if timezone.is_naive(value):
        raise InvalidInput(f"{label}须带时区", field=field)
    return value


def parse_point(lat: float | None, lng: float | None, *, field: str) -> tuple[float, float] | None:
    if lat is None and lng is None:
        return None
    if lat is None or lng is None:
        raise InvalidInput("请同时填写纬度和经度", field=field)
    try:
        point = (float(lat), float(lng))
    except (TypeError, ValueError):
        raise InvalidInput("经纬度应为数字", field=field) from None
    if not geo.valid_coordinates(*point):
        raise InvalidInput("经纬度超出范围", field=field)
    return point


@dataclass(frozen=True)
class ActivitySpec:
    """What an organiser fills in for a new activity (one-off or the template of a series)."""

    title: str
    category: str
    description: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    person_in_charge: str
    positions: Sequence[PositionSpec]
    organiser_unit_id: int | None = None
    team_id: int | None = None
    station_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    checkin_radius_m: int | None = None
    risk_statement: str = ""
    scope: str = Activity.Scope.UNIT
    scope_unit_id: int | None = None
    scope_team_id: int | None = None
    requires_approval: bool = False
    cancel_cutoff_hours: int = DEFAULT_CANCEL_CUTOFF_HOURS
    beneficiaries_headcount: int = 0


@dataclass(frozen=True)
class CheckedActivity:
    fields: dict[str, Any]
    positions: list[tuple[dict[str, Any], list[SkillTag]]]


def check_team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id, status=Team.Status.FOUNDED).first()
    if team is None:
        raise NotFound("未找到该服务队", field="team_id")
    return team


def check_organiser(actor: User, spec: ActivitySpec) -> tuple[OrgUnit, Team | None]:
    """The organising unit and team: staff of the unit, or a leader of the team organise."""
    team = check_team(spec.team_id)
    organiser_unit_id = spec.organiser_unit_id
    if organiser_unit_id is None and team is not None:
        organiser_unit_id = team.community_id
    unit = OrgUnit.objects.filter(
        pk=organiser_unit_id, level__in=[Level.STREET, Level.COMMUNITY]
    ).first()
    if unit is None:
        raise NotFound("未找到该组织单位", field="organiser_unit_id")
    if team is not None and not team.community.path.startswith(unit.path):
        raise InvalidInput("服务队不属于该组织单位", field="team_id")
    staff = may_record_for(actor, unit)
    leader = team is not None and unit.pk == team.community_id and leads_team(actor, team)
    if not (staff or leader):
        if actor.is_staff_role or team is not None:
            raise NotFound("未找到该组织单位", field="organiser_unit_id")
        raise Forbidden("只有社工或服务队队长可以发起活动")
    return unit, team


def check_station(station_id: int | None, unit: OrgUnit) -> Station | None:
    if station_id is None:
        return None
    station = Station.objects.filter(pk=station_id, unit__path__startswith=unit.path).first()
    if station is None:
        raise NotFound("未找到该站点", field="station_id")
    return station


def check_times(spec: ActivitySpec, now: datetime) -> tuple[datetime, datetime]:
    starts_at = aware_datetime(spec.starts_at, field="starts_at", label="开始时间")
    ends_at = aware_datetime(spec.ends_at, field="ends_at", label="结束时间")
    if ends_at <= starts_at:
        raise InvalidInput("结束时间应晚于开始时间", field="ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise InvalidInput("一次活动不能超过24小时，多日活动请按天创建", field="ends_at")
    if starts_at <= now:
        raise InvalidInput("开始时间应晚于现在", field="starts_at")
    return starts_at, ends_at


def check_place(spec: ActivitySpec) -> tuple[tuple[float, float] | None, int | None]:
    """The venue's coordinates and the check-in radius (which needs them)."""
    point = parse_point(spec.latitude, spec.longitude, field="latitude")
    radius = spec.checkin_radius_m
    if radius is not None:
        radius = clean_int(
            radius, field="checkin_radius_m", label="签到范围（米）", low=20, high=5000
        )
        if point is None:
            raise InvalidInput("设置签到范围须填写活动地点的经纬度", field="latitude")
    return point, radius


def check_scope(
    spec: ActivitySpec, unit: OrgUnit, team: Team | None
) -> tuple[OrgUnit | None, Team | None]:
    """Who the activity is published to: the unit (or a community under it), a team, everyone."""
    if spec.scope == Activity.Scope.UNIT:
        if spec.scope_unit_id is None:
            return unit, None
        scope_unit = OrgUnit.objects.filter(
            pk=spec.scope_unit_id, path__startswith=unit.path, level__lte=Level.COMMUNITY
        ).first()
        if scope_unit is None:
            raise InvalidInput("发布范围应为组织单位或其下属社区", field="scope_unit_id")
        return scope_unit, None
    if spec.scope == Activity.Scope.TEAM:
        scope_team = team
        if spec.scope_team_id is not None:
            scope_team = Team.objects.filter(
                pk=spec.scope_team_id,
                status=Team.Status.FOUNDED,
                community__path__startswith=unit.path,
            ).first()
        if scope_team is None:
            raise InvalidInput("请选择组织单位内的服务队作为发布范围", field="scope_team_id")
        return None, scope_team
    if spec.scope != Activity.Scope.EVERYONE:
        raise InvalidInput("发布范围不正确", field="scope")
    return None, None


def check_positions(
    positions: Sequence[PositionSpec],
) -> list[tuple[dict[str, Any], list[SkillTag]]]:
    if not positions:
        raise InvalidInput("请至少设置一个岗位", field="positions")
    if len(positions) > 20:
        raise InvalidInput("一个活动最多设置20个岗位", field="positions")
    return [position_fields(spec, i) for i, spec in enumerate(positions)]


def check_risk(risk_statement: str, positions: list[tuple[dict[str, Any], list[SkillTag]]]) -> str:
    """Hazardous positions need the risks told (《志愿服务条例》第十二条)."""
    risk = clean_text(
        risk_statement, field="risk_statement", label="风险告知", max_length=2000, required=False
    )
    if any(f["hazardous"] for f, _ in positions) and not risk:
        raise InvalidInput(
            "设有危险性岗位的活动须如实告知风险（《志愿服务条例》第十二条）",
            field="risk_statement",
        )
    return risk


def text_fields(spec: ActivitySpec) -> dict[str, Any]:
    """The activity's cleaned texts and numbers that need no other row."""
    return {
        "title": clean_text(spec.title, field="title", label="活动名称", max_length=100),
        "description": clean_text(
            spec.description, field="description", label="活动内容", max_length=2000
        ),
        "venue": clean_text(spec.venue, field="venue", label="活动地点", max_length=200),
        "requires_approval": bool(spec.requires_approval),
        "cancel_cutoff_hours": clean_int(
            spec.cancel_cutoff_hours,
            field="cancel_cutoff_hours",
            label="取消报名截止（开始前小时数）",
            low=0,
            high=720,
        ),
        "person_in_charge": clean_text(
            spec.person_in_charge, field="person_in_charge", label="活动负责人", max_length=30
        ),
        "beneficiaries_headcount": clean_int(
            spec.beneficiaries_headcount,
            field="beneficiaries_headcount",
            label="服务对象人次",
            low=0,
            high=100000,
        ),
    }


def check_activity(*, actor: User, spec: ActivitySpec, now: datetime) -> CheckedActivity:
    """Every check of `spec` in the order the organiser is told of problems; the cleaned fields
    of the activity and of its positions."""
    unit, team = check_organiser(actor, spec)
    station = check_station(spec.station_id, unit)
    if spec.category not in ServiceCategory.values:
        raise InvalidInput("服务类别不正确", field="category")
    starts_at, ends_at = check_times(spec, now)
    point, radius = check_place(spec)
    scope_unit, scope_team = check_scope(spec, unit, team)
    positions = check_positions(spec.positions)
    risk = check_risk(spec.risk_statement, positions)
    texts = text_fields(spec)
    fields = {
        "organiser_unit": unit,
        "team": team,
        "station": station,
        "category": spec.category,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "checkin_radius_m": radius,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "scope": spec.scope,
        "scope_unit": scope_unit,
        "scope_team": scope_team,
        "risk_statement": risk,
        **texts,
    }
    return CheckedActivity(fields, positions)
