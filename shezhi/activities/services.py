"""Writes to activities: creation (one-off or from a recurrence rule), publication and
cancellation, plus who may organise or see an activity and who may take a position.

Sign-ups, the waiting list and insurance are in `signups.py`; check-in/check-out and the
attendance confirmation that writes service records are in `attendance.py`. Every write is
keyword-only, runs in one transaction and writes its audit event there.

Configurable in settings (defaults in brackets): SHEZHI_ACTIVITY_MAX_OCCURRENCES [200],
SHEZHI_CHECKIN_TOKEN_SECONDS [60], SHEZHI_CHECKIN_OPENS_MINUTES [60],
SHEZHI_CHECKOUT_GRACE_MINUTES [120]. The cancellation cut-off is set per activity.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import geo, notices
from shezhi.activities.models import (
    DEFAULT_CANCEL_CUTOFF_HOURS,
    Activity,
    ActivitySeries,
    Beneficiary,
    InsuranceRecord,
    Position,
    SignUp,
)
from shezhi.activities.recurrence import RecurrenceError, Rule, expand
from shezhi.core import audit
from shezhi.core.ages import age_on
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_int, clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.org.models import Level, OrgUnit, Station
from shezhi.people.selectors import resident_get
from shezhi.volunteers.models import (
    Certificate,
    ServiceCategory,
    SkillTag,
    Team,
    TeamMembership,
    Volunteer,
)
from shezhi.volunteers.services import (
    GUARDIAN_AGE,
    may_record_for,
    may_take_hazardous_position,
)

Status = Activity.Status
SU = SignUp.Status
LEADING_ROLES = (TeamMembership.TeamRole.LEADER, TeamMembership.TeamRole.DEPUTY)
MAX_QUOTA = 1000
# Prefix of the cancel reason of sign-ups cancelled with their activity (calendar.py reads it).
CANCELLED_WITH_ACTIVITY = "活动取消："


def max_occurrences() -> int:
    return settings.SHEZHI_ACTIVITY_MAX_OCCURRENCES


def token_seconds() -> int:
    return settings.SHEZHI_CHECKIN_TOKEN_SECONDS


# --- who may do what --------------------------------------------------------------------------


def volunteer_of(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).select_related("community").first()


def leads_team(actor: User, team: Team | None) -> bool:
    if team is None:
        return False
    if (
        team.leader_id is not None
        and Volunteer.objects.filter(pk=team.leader_id, user=actor).exists()
    ):
        return True
    return TeamMembership.objects.filter(
        team=team, volunteer__user=actor, role__in=LEADING_ROLES
    ).exists()


def teams_led_by(actor: User) -> list[Team]:
    """The teams the actor leads (as their leader or in a leading role)."""
    teams = Team.objects.filter(Q(members__user=actor) | Q(leader__user=actor)).distinct()
    return [t for t in teams if leads_team(actor, t)]


def may_organise(actor: User, activity: Activity) -> bool:
    """Staff of the organising unit (or above), or a leader of the organising team."""
    return may_record_for(actor, activity.organiser_unit) or leads_team(actor, activity.team)


def in_publication_scope(volunteer: Volunteer, activity: Activity) -> bool:
    if activity.scope == Activity.Scope.EVERYONE:
        return True
    if activity.scope == Activity.Scope.UNIT:
        unit = activity.scope_unit
        return unit is not None and volunteer.community.path.startswith(unit.path)
    return TeamMembership.objects.filter(
        team_id=activity.scope_team_id, volunteer=volunteer
    ).exists()


def may_see(actor: User, activity: Activity) -> bool:
    if may_organise(actor, activity):
        return True
    volunteer = volunteer_of(actor)
    if volunteer is None:
        return False
    if activity.status in (Status.PUBLISHED, Status.FINISHED) and in_publication_scope(
        volunteer, activity
    ):
        return True
    return SignUp.objects.filter(activity=activity, volunteer=volunteer).exists()


def activity_row(activity_id: int, *, lock: bool = False) -> Activity:
    qs = Activity.objects.select_related("organiser_unit", "team", "scope_unit")
    if lock:
        qs = qs.select_for_update(of=("self",))
    activity = qs.filter(pk=activity_id).first()
    if activity is None:
        raise NotFound("未找到该活动", field="activity_id")
    return activity


def activity_for_organiser(actor: User, activity_id: int, *, lock: bool = False) -> Activity:
    activity = activity_row(activity_id, lock=lock)
    if not may_organise(actor, activity):
        if may_see(actor, activity):
            raise Forbidden("只有活动组织者可以进行此操作")
        raise NotFound("未找到该活动", field="activity_id")
    return activity


# --- creating and publishing ------------------------------------------------------------------


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


def _position_fields(spec: PositionSpec, i: int) -> tuple[dict[str, Any], list[SkillTag]]:
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
class _Checked:
    fields: dict[str, Any]
    positions: list[tuple[dict[str, Any], list[SkillTag]]]


def check_activity(
    *,
    actor: User,
    organiser_unit_id: int | None,
    team_id: int | None,
    station_id: int | None,
    title: str,
    category: str,
    description: str,
    venue: str,
    starts_at: Any,
    ends_at: Any,
    person_in_charge: str,
    positions: Sequence[PositionSpec],
    latitude: float | None,
    longitude: float | None,
    checkin_radius_m: int | None,
    risk_statement: str,
    scope: str,
    scope_unit_id: int | None,
    scope_team_id: int | None,
    requires_approval: bool,
    cancel_cutoff_hours: int,
    beneficiaries_headcount: int,
    now: datetime,
) -> _Checked:
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id, status=Team.Status.FOUNDED).first()
        if team is None:
            raise NotFound("未找到该服务队", field="team_id")
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
    station = None
    if station_id is not None:
        station = Station.objects.filter(pk=station_id, unit__path__startswith=unit.path).first()
        if station is None:
            raise NotFound("未找到该站点", field="station_id")
    if category not in ServiceCategory.values:
        raise InvalidInput("服务类别不正确", field="category")
    starts_at = aware_datetime(starts_at, field="starts_at", label="开始时间")
    ends_at = aware_datetime(ends_at, field="ends_at", label="结束时间")
    if ends_at <= starts_at:
        raise InvalidInput("结束时间应晚于开始时间", field="ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise InvalidInput("一次活动不能超过24小时，多日活动请按天创建", field="ends_at")
    if starts_at <= now:
        raise InvalidInput("开始时间应晚于现在", field="starts_at")
    point = parse_point(latitude, longitude, field="latitude")
    if checkin_radius_m is not None:
        checkin_radius_m = clean_int(
            checkin_radius_m, field="checkin_radius_m", label="签到范围（米）", low=20, high=5000
        )
        if point is None:
            raise InvalidInput("设置签到范围须填写活动地点的经纬度", field="latitude")
    scope_unit = scope_team = None
    if scope == Activity.Scope.UNIT:
        scope_unit = unit
        if scope_unit_id is not None:
            scope_unit = OrgUnit.objects.filter(
                pk=scope_unit_id, path__startswith=unit.path, level__lte=Level.COMMUNITY
            ).first()
            if scope_unit is None:
                raise InvalidInput("发布范围应为组织单位或其下属社区", field="scope_unit_id")
    elif scope == Activity.Scope.TEAM:
        scope_team = team
        if scope_team_id is not None:
            scope_team = Team.objects.filter(
                pk=scope_team_id,
                status=Team.Status.FOUNDED,
                community__path__startswith=unit.path,
            ).first()
        if scope_team is None:
            raise InvalidInput("请选择组织单位内的服务队作为发布范围", field="scope_team_id")
    elif scope != Activity.Scope.EVERYONE:
        raise InvalidInput("发布范围不正确", field="scope")
    if not positions:
        raise InvalidInput("请至少设置一个岗位", field="positions")
    if len(positions) > 20:
        raise InvalidInput("一个活动最多设置20个岗位", field="positions")
    checked = [_position_fields(spec, i) for i, spec in enumerate(positions)]
    risk = clean_text(
        risk_statement, field="risk_statement", label="风险告知", max_length=2000, required=False
    )
    if any(f["hazardous"] for f, _ in checked) and not risk:
        raise InvalidInput(
            "设有危险性岗位的活动须如实告知风险（《志愿服务条例》第十二条）",
            field="risk_statement",
        )
    fields = {
        "organiser_unit": unit,
        "team": team,
        "station": station,
        "title": clean_text(title, field="title", label="活动名称", max_length=100),
        "category": category,
        "description": clean_text(
            description, field="description", label="活动内容", max_length=2000
        ),
        "venue": clean_text(venue, field="venue", label="活动地点", max_length=200),
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "checkin_radius_m": checkin_radius_m,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "scope": scope,
        "scope_unit": scope_unit,
        "scope_team": scope_team,
        "risk_statement": risk,
        "requires_approval": bool(requires_approval),
        "cancel_cutoff_hours": clean_int(
            cancel_cutoff_hours,
            field="cancel_cutoff_hours",
            label="取消报名截止（开始前小时数）",
            low=0,
            high=720,
        ),
        "person_in_charge": clean_text(
            person_in_charge, field="person_in_charge", label="活动负责人", max_length=30
        ),
        "beneficiaries_headcount": clean_int(
            beneficiaries_headcount,
            field="beneficiaries_headcount",
            label="服务对象人次",
            low=0,
            high=100000,
        ),
    }
    return _Checked(fields, checked)


def _build(
    actor: User, checked: _Checked, series: ActivitySeries | None = None, **overrides: Any
) -> Activity:
    activity = Activity(**{**checked.fields, **overrides}, series=series, created_by=actor)
    save_validated(activity)
    for fields, tags in checked.positions:
        position = Position(activity=activity, **fields)
        save_validated(position)
        position.skills.set(tags)
    return activity


@transaction.atomic
def activity_create(
    *,
    actor: User,
    title: str,
    category: str,
    description: str,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    person_in_charge: str,
    positions: Sequence[PositionSpec],
    organiser_unit_id: int | None = None,
    team_id: int | None = None,
    station_id: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    checkin_radius_m: int | None = None,
    risk_statement: str = "",
    scope: str = Activity.Scope.UNIT,
    scope_unit_id: int | None = None,
    scope_team_id: int | None = None,
    requires_approval: bool = False,
    cancel_cutoff_hours: int = DEFAULT_CANCEL_CUTOFF_HOURS,
    beneficiaries_headcount: int = 0,
    now: datetime | None = None,
) -> Activity:
    """A draft activity with its positions. Staff of a street or community organise for their
    unit; a team leader organises for the team (the unit is then the team's community)."""
    checked = check_activity(**_args(locals()))
    activity = _build(actor, checked)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        summary=f"创建活动 {activity.title}",
        changes={"positions": len(checked.positions)},
    )
    return activity


def _args(values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a create service (its `locals()` on entry) for check_activity."""
    args = {k: v for k, v in values.items() if k not in ("rule", "now")}
    args["now"] = values.get("now") or timezone.now()
    return args


@transaction.atomic
def activity_create_recurring(
    *,
    actor: User,
    rule: Rule,
    title: str,
    category: str,
    description: str,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    person_in_charge: str,
    positions: Sequence[PositionSpec],
    organiser_unit_id: int | None = None,
    team_id: int | None = None,
    station_id: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    checkin_radius_m: int | None = None,
    risk_statement: str = "",
    scope: str = Activity.Scope.UNIT,
    scope_unit_id: int | None = None,
    scope_team_id: int | None = None,
    requires_approval: bool = False,
    cancel_cutoff_hours: int = DEFAULT_CANCEL_CUTOFF_HOURS,
    beneficiaries_headcount: int = 0,
    now: datetime | None = None,
) -> list[Activity]:
    """Draft activities on every date of `rule`, the first at `starts_at`/`ends_at` and the
    others at the same local times. Refused when the rule gives more than the configured
    maximum (SHEZHI_ACTIVITY_MAX_OCCURRENCES, default 200)."""
    checked = check_activity(**_args(locals()))
    first_start = timezone.localtime(checked.fields["starts_at"])
    duration = checked.fields["ends_at"] - checked.fields["starts_at"]
    try:
        dates = expand(first_start.date(), rule, maximum=max_occurrences())
    except RecurrenceError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    series = ActivitySeries(
        freq=rule.freq,
        interval=rule.interval,
        weekdays=sorted(set(rule.weekdays)),
        count=rule.count,
        until=rule.until,
        created_by=actor,
    )
    save_validated(series)
    activities = []
    for day in dates:
        start = timezone.make_aware(datetime.combine(day, first_start.time().replace(tzinfo=None)))
        activities.append(
            _build(actor, checked, series=series, starts_at=start, ends_at=start + duration)
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=series,
        summary=f"按重复规则创建活动 {checked.fields['title']} 共{len(activities)}次",
        changes={"freq": rule.freq, "count": len(activities)},
    )
    return activities


@transaction.atomic
def activity_publish(*, actor: User, activity_id: int, now: datetime | None = None) -> Activity:
    """Draft → published: volunteers in the scope can now see it and sign up."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id, lock=True)
    if activity.status != Status.DRAFT:
        raise Conflict("只有草稿状态的活动可以发布", field="status")
    if activity.starts_at <= now:
        raise Conflict("活动已开始，不能发布", field="starts_at")
    if not activity.positions.exists():
        raise InvalidInput("请至少设置一个岗位", field="positions")
    if activity.positions.filter(hazardous=True).exists() and not activity.has_risks:
        raise InvalidInput(
            "设有危险性岗位的活动须如实告知风险（《志愿服务条例》第十二条）",
            field="risk_statement",
        )
    activity.status = Status.PUBLISHED
    activity.published_at = now
    activity.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=activity,
        summary=f"发布活动 {activity.title}",
        changes={"status": ["draft", "published"]},
    )
    return activity


@transaction.atomic
def activity_cancel(*, actor: User, activity_id: int, reason: str) -> Activity:
    """Cancel a draft or published activity; its live sign-ups are cancelled with it."""
    activity = activity_for_organiser(actor, activity_id, lock=True)
    if activity.status not in (Status.DRAFT, Status.PUBLISHED):
        raise Conflict("该活动已取消或已结束", field="status")
    if activity.attendances.exists():
        raise Conflict("已有志愿者签到，不能取消活动", field="status")
    reason = clean_text(reason, field="reason", label="取消原因", max_length=300)
    before = activity.status
    if before == Status.PUBLISHED:  # a draft has no sign-ups to tell
        notices.activity_cancelled(activity, reason=reason)
    activity.status = Status.CANCELLED
    activity.cancel_reason = reason
    activity.save(update_fields=["status", "cancel_reason", "updated_at"])
    n = (
        SignUp.objects.filter(activity=activity)
        .exclude(status=SU.CANCELLED)
        .update(
            status=SU.CANCELLED,
            cancelled_at=timezone.now(),
            cancel_reason=f"{CANCELLED_WITH_ACTIVITY}{reason}"[:300],
        )
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=activity,
        summary=f"取消活动 {activity.title}，{n}人的报名随之取消",
        changes={"status": [before, "cancelled"], "reason": reason},
    )
    return activity


# --- eligibility ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerFacts:
    """What eligibility needs to know about a volunteer beyond the row itself, read once so that a
    list of positions is judged without a query per position."""

    team_ids: frozenset[int]
    skill_ids: frozenset[int]
    certificates: tuple[tuple[str, date | None], ...]  # (kind, expires_on)


def volunteer_facts(volunteer: Volunteer) -> VolunteerFacts:
    return VolunteerFacts(
        team_ids=frozenset(
            TeamMembership.objects.filter(volunteer=volunteer).values_list("team_id", flat=True)
        ),
        skill_ids=frozenset(volunteer.skills.values_list("pk", flat=True)),
        certificates=tuple(volunteer.certificates.values_list("kind", "expires_on")),
    )


def eligibility_problems(
    *, volunteer: Volunteer, position: Position, facts: VolunteerFacts | None = None
) -> list[str]:
    """Why `volunteer` may not take `position` (empty: eligible). Ages and certificates are
    judged on the activity's dates; art. 15–16 of the 条例 and the rule that minors never take
    hazardous positions. With `facts` (and the position's skills prefetched) it runs no query."""
    facts = facts or volunteer_facts(volunteer)
    activity = position.activity
    day = timezone.localdate(activity.starts_at)
    last_day = timezone.localdate(activity.ends_at)
    problems = []
    if not volunteer.is_active:
        problems.append("志愿者不在册")
    in_scope = (
        activity.scope_team_id in facts.team_ids
        if activity.scope == Activity.Scope.TEAM
        else in_publication_scope(volunteer, activity)
    )
    if not in_scope:
        problems.append("不在活动的招募范围内")
    age = age_on(volunteer.birth_date, day)
    if position.min_age is not None and age < position.min_age:
        problems.append(f"该岗位要求年满{position.min_age}周岁")
    if position.max_age is not None and age > position.max_age:
        problems.append(f"该岗位要求年龄不超过{position.max_age}周岁")
    if position.hazardous and not may_take_hazardous_position(volunteer, on=day):
        problems.append("未成年人不能参加危险性岗位")
    missing = [s.name for s in position.skills.all() if s.pk not in facts.skill_ids]
    if missing:
        problems.append(f"缺少所需技能：{'、'.join(missing)}")
    if position.certificates:
        held = {k for k, expires in facts.certificates if expires is None or expires >= last_day}
        labels = dict(Certificate.Kind.choices)
        missing_certs = [str(labels[k]) for k in position.certificates if k not in held]
        if missing_certs:
            problems.append(f"缺少有效的证书：{'、'.join(missing_certs)}")
    return problems


def valid_insurance(volunteer: Volunteer, activity: Activity) -> InsuranceRecord | None:
    """An insurance of the volunteer covering every day of the activity."""
    return (
        InsuranceRecord.objects.filter(
            volunteer=volunteer,
            valid_from__lte=timezone.localdate(activity.starts_at),
            valid_to__gte=timezone.localdate(activity.ends_at),
        )
        .order_by("-valid_to")
        .first()
    )


# --- beneficiaries ----------------------------------------------------------------------------


@transaction.atomic
def beneficiary_add(*, actor: User, activity_id: int, resident_id: int) -> Beneficiary:
    """Register a resident served at the activity; the resident must be in the actor's scope."""
    activity = activity_for_organiser(actor, activity_id, lock=True)
    if activity.status not in (Status.PUBLISHED, Status.FINISHED):
        raise Conflict("只能为已发布或已结束的活动登记服务对象", field="status")
    try:
        resident = resident_get(actor=actor, resident_id=resident_id)
    except NotFound:
        raise NotFound("未找到该居民", field="resident_id") from None
    if Beneficiary.objects.filter(activity=activity, resident=resident).exists():
        raise Conflict("该居民已登记为本活动的服务对象", field="resident_id")
    beneficiary = Beneficiary(activity=activity, resident=resident, recorded_by=actor)
    try:
        with transaction.atomic():
            beneficiary.save()
    except IntegrityError:
        raise Conflict("该居民已登记为本活动的服务对象", field="resident_id") from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=beneficiary,
        summary=f"登记活动 {activity.title} 的服务对象",
    )
    return beneficiary


@transaction.atomic
def activity_set_headcount(*, actor: User, activity_id: int, headcount: int) -> Activity:
    """Set how many unregistered people the activity served (服务对象人次, besides registered
    residents)."""
    activity = activity_for_organiser(actor, activity_id, lock=True)
    if activity.status == Status.CANCELLED:
        raise Conflict("该活动已取消", field="status")
    headcount = clean_int(headcount, field="headcount", label="服务对象人次", low=0, high=100000)
    before = activity.beneficiaries_headcount
    activity.beneficiaries_headcount = headcount
    activity.save(update_fields=["beneficiaries_headcount", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        summary=f"服务对象人次 {before} → {headcount}",
        changes={"beneficiaries_headcount": [before, headcount]},
    )
    return activity


def beneficiaries_total(activity: Activity) -> int:
    """Registered residents plus the unregistered headcount."""
    return activity.beneficiaries.count() + activity.beneficiaries_headcount
