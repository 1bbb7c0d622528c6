"""Writes to volunteers and their service records: validated, scoped, audited, in one transaction.

Public entry points (stable signatures, called by needs, imports, web and API):
- volunteer_register(*, actor, name, gender, birth_date, id_number, phone, community_id,
  skills, consent_version, skill_levels=None, guardian_consent=False, …) -> Volunteer
- volunteer_skills_set(*, actor, volunteer_id, skills, skill_levels=None) -> Volunteer
- service_record_create(*, recorder, volunteer, title, service_date, place, content, minutes,
  organiser_unit, person_in_charge, beneficiary="", source="", started_at=None, ended_at=None,
  quality_rating=None, team=None, organiser="", now=None) -> ServiceRecord
- service_record_approve_late / service_record_reject_late (supervisor)
- correction_request_file (volunteer) / correction_request_decide (recording unit)
- training_record_create, honour_create
Stars and falsification findings are in `stars.py`, teams in `teams.py`.
"""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import audit
from shezhi.core.ages import ADULT_AGE, age_on
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.hours import service_hours
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.core.validators import (
    InvalidValue,
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_mobile,
)
from shezhi.core.workdays import due_date
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Gender
from shezhi.volunteers.models import (
    DEFAULT_SKILL_LEVEL,
    PARTY_STATUSES,
    RECORD_VERSIONED_FIELDS,
    SKILL_LEVELS,
    Availability,
    Certificate,
    Consent,
    CorrectionRequest,
    Honour,
    PoliticalStatus,
    ServiceCategory,
    ServiceRecord,
    ServiceRecordVersion,
    SkillTag,
    Team,
    TrainingRecord,
    Volunteer,
    VolunteerNumberSequence,
    VolunteerSkill,
)
from shezhi.volunteers.policy import calendar_for, policy_for
from shezhi.volunteers.trust import Hold, HoldCode
from shezhi.volunteers.trust import hold as trust_hold

MAX_MINUTES = 24 * 60
# A stated end may lie this far after the server's clock (phones and PCs drift).
CLOCK_TOLERANCE = timedelta(minutes=5)
GUARDIAN_AGE = ADULT_AGE  # under it a guardian must consent
SENSITIVE_AGE = 14
# Roles of the recording unit: they record, verify corrections and see records in their scope.
RECORDING_ROLES = frozenset(
    {Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.STREET_ADMIN, Role.DISTRICT_ADMIN}
)
# Roles that approve late records (逾期补录审批).
APPROVING_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_ADMIN, Role.DISTRICT_ADMIN})


# --- scope helpers ----------------------------------------------------------------------------


def unit_in_scope(actor: User, unit: OrgUnit | None) -> bool:
    """Whether `unit` is the actor's unit or below it."""
    if sees_everything(actor):
        return True
    if unit is None or actor.unit is None:
        return False
    return unit.path.startswith(actor.unit.path)


def may_record_for(actor: User, unit: OrgUnit | None) -> bool:
    return sees_everything(actor) or (actor.role in RECORDING_ROLES and unit_in_scope(actor, unit))


def may_approve_late(actor: User, unit: OrgUnit | None) -> bool:
    return sees_everything(actor) or (actor.role in APPROVING_ROLES and unit_in_scope(actor, unit))


# --- registration -----------------------------------------------------------------------------


def may_take_hazardous_position(volunteer: Volunteer, *, on: date | None = None) -> bool:
    """Minors may never be put on a position flagged hazardous (抢险救灾 …)."""
    return age_on(volunteer.birth_date, on or timezone.localdate()) >= GUARDIAN_AGE


def _issue_volunteer_no(today: date) -> str:
    """统一编号: "ZY" + year + 8-digit sequence, from a locked per-year counter."""
    seq, _ = VolunteerNumberSequence.objects.select_for_update().get_or_create(year=today.year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"ZY{today.year}{seq.last:08d}"


def _unit(unit_id: int | None, *, level: int, field: str, label: str) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = OrgUnit.objects.filter(pk=unit_id, level=level).first()
    if unit is None:
        raise NotFound(f"未找到该{label}", field=field)
    return unit


def _skills(values: list[str]) -> list[SkillTag]:
    wanted = [str(v).strip() for v in values or [] if str(v).strip()]
    if not wanted:
        return []
    found = list(SkillTag.objects.filter(code__in=wanted)) + list(
        SkillTag.objects.filter(name__in=wanted)
    )
    known = {s.code for s in found} | {s.name for s in found}
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise InvalidInput(f"未知的专业技能：{'、'.join(unknown[:5])}", field="skills")
    return list({s.pk: s for s in found}.values())


def _skill_levels(tags: list[SkillTag], levels: dict[str, int] | None) -> dict[int, int]:
    """Levels by tag pk for the chosen `tags`; keys are skill codes or names, values 1..5.
    A chosen skill without a level gets the default."""
    by_key = {t.code: t for t in tags} | {t.name: t for t in tags}
    out = {t.pk: DEFAULT_SKILL_LEVEL for t in tags}
    for key, level in (levels or {}).items():
        tag = by_key.get(str(key).strip())
        if tag is None:
            raise InvalidInput(
                f"技能等级中的“{str(key)[:30]}”不在所选专业技能中", field="skill_levels"
            )
        if isinstance(level, bool) or not isinstance(level, int) or level not in SKILL_LEVELS:
            raise InvalidInput(f"技能“{tag.name}”的等级应为1至5的整数", field="skill_levels")
        out[tag.pk] = level
    return out


def _set_skills(volunteer: Volunteer, tags: list[SkillTag], levels: dict[int, int]) -> None:
    """Replace the volunteer's skills, each with its level (one row per skill)."""
    VolunteerSkill.objects.filter(volunteer=volunteer).exclude(skill__in=tags).delete()
    for tag in tags:
        VolunteerSkill.objects.update_or_create(
            volunteer=volunteer, skill=tag, defaults={"level": levels[tag.pk]}
        )


@transaction.atomic
def volunteer_register(
    *,
    actor: User,
    name: str,
    gender: str,
    birth_date: date | None,
    id_number: str,
    phone: str,
    community_id: int,
    skills: list[str],
    consent_version: str,
    skill_levels: dict[str, int] | None = None,
    guardian_consent: bool = False,
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_relation: str = "",
    compound_id: int | None = None,
    address: str = "",
    service_categories: list[str] | None = None,
    languages: list[str] | None = None,
    political_status: str = PoliticalStatus.MASSES,
    dual_report_community_id: int | None = None,
    availability: list[tuple[int, time, time]] | None = None,
    certificates: list[dict[str, Any]] | None = None,
    user: User | None = None,
    today: date | None = None,
) -> Volunteer:
    """Register a volunteer with the fields of the Measures art. 5 and issue the 统一编号.

    Staff of the community (or above) register anyone; a person without a staff role registers
    only themselves (`user` is then the actor). Without `user`, staff registration creates an
    account with the volunteer role and an unusable password. `skills` are skill codes or names;
    `skill_levels` maps some of them to a level 1–5 (the others get level 3);
    `birth_date`/`gender` default to what the ID number says and must agree with it.
    `availability` is [(weekday 0–6, start, end)]; `certificates` is [{"kind", "number",
    "expires_on"}]. Minors need `guardian_consent` and a guardian's name and phone; under 14 the
    record is flagged sensitive.
    """
    today = today or timezone.localdate()
    community = _unit(community_id, level=Level.COMMUNITY, field="community_id", label="社区")
    assert community is not None
    if actor.is_staff_role or sees_everything(actor):
        if not may_record_for(actor, community):
            raise NotFound("未找到该社区", field="community_id")
    else:
        if user is not None and user.pk != actor.pk:
            raise Forbidden("只能为本人登记志愿者")
        user = actor
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise Conflict("该账号已登记为志愿者", field="user")

    name = clean_text(name, field="name", label="姓名", max_length=30)
    try:
        id_number = validate_id_number(id_number, today=today)
    except InvalidValue as exc:
        raise InvalidInput(str(exc), field="id_number") from None
    try:
        phone = validate_mobile(phone)
    except InvalidValue as exc:
        raise InvalidInput(str(exc), field="phone") from None
    born = birth_date_from_id(id_number)
    if birth_date is not None and birth_date != born:
        raise InvalidInput("出生日期与身份证号码不一致", field="birth_date")
    gender = gender or gender_from_id(id_number)
    if gender not in Gender.values:
        raise InvalidInput("性别应为男或女", field="gender")
    if gender != gender_from_id(id_number):
        raise InvalidInput("性别与身份证号码不一致", field="gender")
    if Volunteer.objects.filter(id_number=id_number).exists():
        raise Conflict("该身份证号码已登记为志愿者", field="id_number")
    consent_version = clean_text(
        consent_version, field="consent_version", label="同意的协议版本", max_length=20
    )
    age = age_on(born, today)
    if age < GUARDIAN_AGE:
        if not guardian_consent:
            raise InvalidInput("未满18周岁的志愿者须经监护人同意", field="guardian_consent")
        guardian_name = clean_text(
            guardian_name, field="guardian_name", label="监护人姓名", max_length=30
        )
        try:
            guardian_phone = validate_mobile(guardian_phone)
        except InvalidValue as exc:
            raise InvalidInput(str(exc), field="guardian_phone") from None
        guardian_relation = clean_text(
            guardian_relation or "监护人", field="guardian_relation", label="关系", max_length=10
        )
    compound = _unit(compound_id, level=Level.COMPOUND, field="compound_id", label="小区")
    if compound is not None and compound.parent_id != community.pk:
        raise InvalidInput("小区不属于所选社区", field="compound_id")
    categories = [str(c) for c in service_categories or []]
    bad = [c for c in categories if c not in ServiceCategory.values]
    if bad:
        raise InvalidInput(f"未知的服务类别：{'、'.join(bad[:5])}", field="service_categories")
    langs = [clean_text(v, field="languages", label="语言", max_length=20) for v in languages or []]
    if political_status not in PoliticalStatus.values:
        raise InvalidInput("政治面貌不正确", field="political_status")
    dual = _unit(
        dual_report_community_id,
        level=Level.COMMUNITY,
        field="dual_report_community_id",
        label="社区",
    )
    if dual is not None and political_status not in PARTY_STATUSES:
        raise InvalidInput("只有党员可以登记“双报到”社区", field="dual_report_community_id")
    tags = _skills(skills)
    levels = _skill_levels(tags, skill_levels)

    if user is None:
        user = User(username="", role=Role.VOLUNTEER, unit=community, display_name=name)
        user.set_unusable_password()
    volunteer_no = _issue_volunteer_no(today)
    if not user.pk:
        user.username = volunteer_no
        user.phone = phone
        user.save()
    volunteer = Volunteer(
        user=user,
        volunteer_no=volunteer_no,
        name=name,
        gender=gender,
        birth_date=born,
        id_number=id_number,
        phone=phone,
        community=community,
        compound=compound,
        address=clean_text(
            address, field="address", label="居住地址", max_length=100, required=False
        ),
        service_categories=categories,
        languages=langs,
        political_status=political_status,
        dual_report_community=dual,
        is_sensitive=age < SENSITIVE_AGE,
    )
    save_validated(volunteer)
    _set_skills(volunteer, tags, levels)
    for i, window in enumerate(availability or []):
        try:
            weekday, start, end = window
        except (TypeError, ValueError):
            raise InvalidInput(
                "可服务时段格式应为（星期, 开始, 结束）", field="availability"
            ) from None
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise InvalidInput(f"第{i + 1}个可服务时段的星期不正确", field="availability")
        if not isinstance(start, time) or not isinstance(end, time) or end <= start:
            raise InvalidInput(f"第{i + 1}个可服务时段的结束应晚于开始", field="availability")
        Availability.objects.create(volunteer=volunteer, weekday=weekday, start=start, end=end)
    for cert in certificates or []:
        kind = str(cert.get("kind", ""))
        if kind not in Certificate.Kind.values:
            raise InvalidInput("证书类型不正确", field="certificates")
        number = clean_text(
            cert.get("number"), field="certificates", label="证书编号", max_length=40
        )
        expires = cert.get("expires_on")
        if expires is not None and not isinstance(expires, date):
            raise InvalidInput("证书有效期应为日期", field="certificates")
        Certificate.objects.create(
            volunteer=volunteer, kind=kind, number=number, expires_on=expires
        )
    now = timezone.now()
    Consent.objects.create(
        volunteer=volunteer,
        kind=Consent.Kind.SELF,
        text_version=consent_version,
        agreed_at=now,
        recorded_by=actor,
    )
    if age < GUARDIAN_AGE:
        Consent.objects.create(
            volunteer=volunteer,
            kind=Consent.Kind.GUARDIAN,
            text_version=consent_version,
            agreed_at=now,
            guardian_name=guardian_name,
            guardian_phone=guardian_phone,
            guardian_relation=guardian_relation,
            recorded_by=actor,
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=volunteer,
        summary=f"登记志愿者 {volunteer_no}",
        changes={"minor": age < GUARDIAN_AGE, "consent_version": consent_version},
    )
    return volunteer


@transaction.atomic
def volunteer_skills_set(
    *,
    actor: User,
    volunteer_id: int,
    skills: list[str],
    skill_levels: dict[str, int] | None = None,
) -> Volunteer:
    """Replace a volunteer's skills and their levels (staff of the volunteer's community).
    `skills` are codes or names; `skill_levels` as in `volunteer_register`."""
    volunteer = _volunteer_in_scope(actor, volunteer_id)
    tags = _skills(skills)
    levels = _skill_levels(tags, skill_levels)
    _set_skills(volunteer, tags, levels)
    codes = {t.pk: t.code for t in tags}
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=volunteer,
        summary=f"修改志愿者 {volunteer.volunteer_no} 的专业技能",
        changes={"skills": {codes[pk]: lv for pk, lv in sorted(levels.items())}},
    )
    return volunteer


# --- service records --------------------------------------------------------------------------


def record_snapshot(record: ServiceRecord) -> dict[str, Any]:
    return {f: audit.jsonable(getattr(record, f)) for f in RECORD_VERSIONED_FIELDS}


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _live_records(volunteer: Volunteer):
    return ServiceRecord.objects.filter(volunteer=volunteer).exclude(
        status=ServiceRecord.Status.FALSIFIED
    )


def _check_day_total(volunteer: Volunteer, day: date, minutes: int, exclude: int | None) -> None:
    from django.db.models import Sum

    qs = _live_records(volunteer).filter(service_date=day)
    if exclude:
        qs = qs.exclude(pk=exclude)
    served = qs.aggregate(m=Sum("minutes"))["m"] or 0
    if served + minutes > MAX_MINUTES:
        raise InvalidInput(
            f"该志愿者{day:%Y-%m-%d}已记录{served}分钟，再加{minutes}分钟将超过24小时，"
            "与已有服务时段重叠",
            field="minutes",
        )


def _place_period(
    *,
    volunteer: Volunteer,
    service_date: date,
    minutes: int,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
    exclude: int | None = None,
    clashes: list[ServiceRecord] | None = None,
) -> tuple[datetime, datetime, bool]:
    """The service period: as stated (checked against the volunteer's other stated periods), or
    estimated from the minutes by placing them, back to back, before the volunteer's other
    records of that day and no later than now. With `clashes` given, a stated period that
    overlaps other records is accepted and the records it overlaps are appended to it (the
    caller holds the record for a social worker) instead of being refused."""
    day_start, day_end = _day_bounds(service_date)
    others = _live_records(volunteer).filter(started_at__lt=day_end, ended_at__gt=day_start)
    if exclude:
        others = others.exclude(pk=exclude)
    if started_at is not None and ended_at is not None:
        clash = (
            others.filter(period_estimated=False, started_at__lt=ended_at, ended_at__gt=started_at)
            .order_by("started_at")
            .first()
        )
        if clash and clashes is not None:
            clashes.extend(
                others.filter(
                    period_estimated=False, started_at__lt=ended_at, ended_at__gt=started_at
                ).order_by("started_at")[:5]
            )
        elif clash:
            local = timezone.localtime
            raise InvalidInput(
                f"与该志愿者已有的服务记录“{clash.title}”"
                f"（{local(clash.started_at):%m-%d %H:%M}–{local(clash.ended_at):%H:%M}）时间重叠",
                field="started_at",
            )
        return started_at, ended_at, False
    end = min(now, day_end)
    periods = sorted(others.values_list("started_at", "ended_at"), reverse=True)
    for s, e in periods:  # latest first
        if s < end and e > end - timedelta(minutes=minutes):
            end = min(end, s)
    start = end - timedelta(minutes=minutes)
    if start < day_start:
        raise InvalidInput(
            f"该志愿者{service_date:%Y-%m-%d}的服务时段已排满，{minutes}分钟与已有记录重叠",
            field="minutes",
        )
    return start, end, True


def _check_record_fields(
    *,
    service_date: date,
    minutes: int | None,
    started_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
    quality_rating: int | None,
    claim_over_span: bool = False,
) -> tuple[date, int]:
    if (started_at is None) != (ended_at is None):
        raise InvalidInput("请同时填写开始和结束时间", field="started_at")
    if started_at is not None and ended_at is not None:
        if timezone.is_naive(started_at) or timezone.is_naive(ended_at):
            raise InvalidInput("起止时间须带时区", field="started_at")
        if ended_at <= started_at:
            raise InvalidInput("结束时间应晚于开始时间", field="ended_at")
        if ended_at > now + CLOCK_TOLERANCE:
            raise InvalidInput("不能记录尚未结束的服务", field="ended_at")
        span = int((ended_at - started_at).total_seconds() // 60)
        if span > MAX_MINUTES:
            raise InvalidInput("一次服务不能超过24小时", field="ended_at")
        local_day = timezone.localdate(started_at)
        if service_date is None:
            service_date = local_day
        elif service_date != local_day:
            raise InvalidInput("服务日期与开始时间不一致", field="service_date")
        if minutes is None:
            minutes = span
        elif minutes > span and not claim_over_span:
            raise InvalidInput("服务时长不能超过起止时间之间的时长", field="minutes")
    if not isinstance(service_date, date) or isinstance(service_date, datetime):
        raise InvalidInput("请填写服务日期", field="service_date")
    if service_date > timezone.localdate(now):
        raise InvalidInput("服务日期不能晚于今天", field="service_date")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"服务时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    if quality_rating is not None and (
        not isinstance(quality_rating, int) or not 1 <= quality_rating <= 5
    ):
        raise InvalidInput("服务质量评价应为1到5", field="quality_rating")
    return service_date, minutes


def record_due_date(record_unit: OrgUnit | None, service_date: date) -> date:
    policy = policy_for(record_unit)
    # Long holidays (春节) add at most ~9 rest days to the 10 working days: look 60 days ahead.
    cal = calendar_for(record_unit, service_date, service_date + timedelta(days=60))
    return due_date(service_date, policy.due_working_days, cal)


@transaction.atomic
def service_record_create(
    *,
    recorder: User,
    volunteer: Volunteer,
    title: str,
    service_date: date | None,
    place: str,
    content: str,
    minutes: int | None,
    organiser_unit: OrgUnit,
    person_in_charge: str,
    beneficiary: str = "",
    source: str = "",
    category: str = "",
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    quality_rating: int | None = None,
    team: Team | None = None,
    organiser: str = "",
    now: datetime | None = None,
    holds: Sequence[Hold] = (),
    hold_clashes: bool = False,
) -> ServiceRecord:
    """Record a service ("谁组织谁记录"). Hours follow the region's rounding rule.

    The recorder is staff of the organising unit (or above); the need workflow records a completed
    order as its taker (then `source` names the order). Give either `started_at`/`ended_at`
    (aware datetimes; minutes default to the span) or `service_date` + `minutes` (the period is
    then estimated). Refused: future dates, durations outside 1–1440 minutes, a period overlapping
    the volunteer's other records. A record made more than the region's due working days (default
    10) after the service is created pending and counts only once a supervisor approves it.

    Held records (status HELD, reasons in `hold_reasons`) wait for a social worker of the
    organising unit (volunteers/holds.py): `holds` are the caller's reasons (an OVER_ELAPSED
    reason lets the claim exceed the stated period); with `hold_clashes` a stated period that
    overlaps the volunteer's other records is held instead of refused (workflow records: orders,
    attendance).
    """
    now = now or timezone.now()
    own_order = bool(source) and volunteer.user_id == recorder.pk
    if not own_order and not may_record_for(recorder, organiser_unit):
        if recorder.is_staff_role:
            raise NotFound("未找到该组织单元", field="organiser_unit")
        raise Forbidden("只有组织单位的社工可以记录志愿服务", field="organiser_unit")
    service_date, minutes = _check_record_fields(
        service_date=service_date,  # type: ignore[arg-type]
        minutes=minutes,
        started_at=started_at,
        ended_at=ended_at,
        now=now,
        quality_rating=quality_rating,
        claim_over_span=any(h.code == HoldCode.OVER_ELAPSED for h in holds),
    )
    if (
        team is not None
        and team.community_id != organiser_unit.pk
        and not unit_in_scope(recorder, OrgUnit.objects.get(pk=team.community_id))
    ):
        raise NotFound("未找到该服务队", field="team")
    _check_day_total(volunteer, service_date, minutes, None)
    clashing: list[ServiceRecord] | None = [] if hold_clashes else None
    start, end, estimated = _place_period(
        volunteer=volunteer,
        service_date=service_date,
        minutes=minutes,
        started_at=started_at,
        ended_at=ended_at,
        now=now,
        clashes=clashing,
    )
    reasons = [h.as_dict() for h in holds]
    if clashing:
        local = timezone.localtime
        detail = "、".join(
            f"“{c.title[:20]}”{local(c.started_at):%m-%d %H:%M}–{local(c.ended_at):%H:%M}"
            for c in clashing
        )
        reasons.append(trust_hold(HoldCode.OVERLAP, detail).as_dict())
    policy = policy_for(organiser_unit)
    due = record_due_date(organiser_unit, service_date)
    late = timezone.localdate(now) > due
    record = ServiceRecord(
        volunteer=volunteer,
        title=clean_text(title, field="title", label="活动名称", max_length=200)[:100],
        service_date=service_date,
        started_at=start,
        ended_at=end,
        period_estimated=estimated,
        place=clean_text(place, field="place", label="服务地点", max_length=400)[:200],
        content=clean_text(content, field="content", label="服务内容", max_length=2000),
        category=(category or "").strip()[:30],
        minutes=minutes,
        hours=service_hours(minutes, policy.rounding),
        organiser=(organiser.strip() or organiser_unit.name)[:100],
        organiser_unit=organiser_unit,
        person_in_charge=clean_text(
            person_in_charge, field="person_in_charge", label="活动负责人", max_length=60
        )[:30],
        recorded_by=recorder,
        beneficiary=(beneficiary or "").strip()[:60],
        quality_rating=quality_rating,
        team=team,
        source=source,
        status=(
            ServiceRecord.Status.PENDING
            if late
            else ServiceRecord.Status.HELD
            if reasons
            else ServiceRecord.Status.COUNTED
        ),
        due_date=due,
        hold_reasons=reasons,
    )
    save_validated(record)
    ServiceRecordVersion.objects.create(
        record=record, version=1, data=record_snapshot(record), changed_by=recorder, reason="新建"
    )
    audit.record(
        actor=recorder,
        action=AuditEvent.Action.CREATE,
        obj=record,
        summary=f"记录志愿服务 {record.hours} 小时"
        + ("（逾期，待审批）" if late else "（待社工确认）" if reasons else ""),
        changes={
            "source": source,
            "late": late,
            "due_date": str(due),
            "holds": [r["code"] for r in reasons],
        },
    )
    return record


def record_for_update(record_id: int) -> ServiceRecord:
    record = (
        # Lock the record only: PostgreSQL cannot lock the nullable side of the unit's outer join.
        ServiceRecord.objects.select_for_update(of=("self",))
        .filter(pk=record_id)
        .select_related("organiser_unit", "volunteer")
        .first()
    )
    if record is None:
        raise NotFound("未找到该服务记录")
    return record


def record_new_version(
    record: ServiceRecord, *, actor: User, reason: str, before: dict[str, Any]
) -> None:
    """Keep the amended record as a new version (records from before versioning first get their
    original kept as version 1)."""
    if not ServiceRecordVersion.objects.filter(record=record).exists():
        ServiceRecordVersion.objects.create(
            record=record, version=record.version, data=before, changed_by=None, reason="原始记录"
        )
    record.version += 1
    ServiceRecordVersion.objects.create(
        record=record,
        version=record.version,
        data=record_snapshot(record),
        changed_by=actor,
        reason=reason[:300],
    )


def _decide_late(actor: User, record_id: int, approve: bool, note: str) -> ServiceRecord:
    record = record_for_update(record_id)
    if not may_record_for(actor, record.organiser_unit):
        raise NotFound("未找到该服务记录")
    if not may_approve_late(actor, record.organiser_unit):
        raise Forbidden("只有督导可以审批逾期记录")
    if record.status != ServiceRecord.Status.PENDING:
        raise Conflict("该记录不是待审批的逾期记录", field="status")
    note = clean_text(note, field="note", label="审批意见", max_length=300, required=not approve)
    before = record_snapshot(record)
    # An approved late record that is also held still waits for a social worker's confirmation.
    counted = ServiceRecord.Status.HELD if record.hold_reasons else ServiceRecord.Status.COUNTED
    record.status = counted if approve else ServiceRecord.Status.REJECTED
    record.approved_by = actor
    record.approved_at = timezone.now()
    record.decision_note = note
    record_new_version(
        record, actor=actor, reason=("批准逾期记录" if approve else "驳回逾期记录"), before=before
    )
    record.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "decision_note",
            "version",
            "updated_at",
        ]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=record,
        summary=("批准" if approve else "驳回") + f"逾期服务记录 {record.hours} 小时",
        changes={"status": ["pending", record.status], "note": note},
    )
    return record


@transaction.atomic
def service_record_approve_late(*, actor: User, record_id: int, note: str = "") -> ServiceRecord:
    """A supervisor of the organising unit lets a late record count."""
    return _decide_late(actor, record_id, True, note)


@transaction.atomic
def service_record_reject_late(*, actor: User, record_id: int, note: str) -> ServiceRecord:
    """A supervisor refuses a late record (with a reason); it stays, never counting."""
    return _decide_late(actor, record_id, False, note)


# --- corrections ------------------------------------------------------------------------------

CORRECTABLE = {
    "title": ("活动名称", 100),
    "service_date": ("服务日期", None),
    "started_at": ("开始时间", None),
    "ended_at": ("结束时间", None),
    "place": ("服务地点", 200),
    "content": ("服务内容", 2000),
    "minutes": ("服务时长", None),
    "person_in_charge": ("活动负责人", 30),
    "beneficiary": ("服务对象", 60),
}


def _parse_change(field: str, value: Any) -> Any:
    label, limit = CORRECTABLE[field]
    if field == "minutes":
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            raise InvalidInput("服务时长应为整数分钟", field="minutes") from None
        return minutes
    if field == "service_date":
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput("服务日期格式应为 YYYY-MM-DD", field=field) from None
    if field in ("started_at", "ended_at"):
        if isinstance(value, datetime):
            parsed = value
        else:
            try:
                parsed = datetime.fromisoformat(str(value))
            except ValueError:
                raise InvalidInput(f"{label}格式不正确", field=field) from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    return clean_text(
        value, field=field, label=label, max_length=limit or 2000, required=field != "beneficiary"
    )


def _json_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: audit.jsonable(v) for k, v in changes.items()}


@transaction.atomic
def correction_request_file(
    *, actor: User, record_id: int, changes: dict[str, Any], reason: str
) -> CorrectionRequest:
    """The volunteer asks the recording unit to correct one of their records."""
    record = record_for_update(record_id)
    if record.volunteer.user_id != actor.pk:
        raise NotFound("未找到该服务记录")
    if record.status == ServiceRecord.Status.FALSIFIED:
        raise Conflict("该记录已被认定弄虚作假，不能申请更正", field="record")
    reason = clean_text(reason, field="reason", label="申请理由", max_length=500)
    unknown = [f for f in changes or {} if f not in CORRECTABLE]
    if unknown:
        raise InvalidInput(f"不能申请更正的字段：{'、'.join(unknown)}", field="changes")
    parsed = {f: _parse_change(f, v) for f, v in (changes or {}).items() if v not in (None, "")}
    parsed = {f: v for f, v in parsed.items() if getattr(record, f) != v}
    if not parsed:
        raise InvalidInput("请填写需要更正的内容（与原记录不同）", field="changes")
    if CorrectionRequest.objects.filter(
        record=record, status=CorrectionRequest.Status.PENDING
    ).exists():
        raise Conflict("该记录已有待核实的更正申请", field="record")
    request = CorrectionRequest(
        record=record, requested_by=actor, changes=_json_changes(parsed), reason=reason
    )
    try:
        with transaction.atomic():
            save_validated(request)
    except IntegrityError:
        raise Conflict("该记录已有待核实的更正申请", field="record") from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=request,
        summary=f"申请更正服务记录 #{record.pk}",
        changes=request.changes,
    )
    return request


def _apply_correction(record: ServiceRecord, changes: dict[str, Any]) -> None:
    """Apply the requested values with the same checks as a new record (dates, durations,
    overlap with the volunteer's other records)."""
    values = {f: _parse_change(f, v) for f, v in changes.items()}
    period_changed = "started_at" in values or "ended_at" in values
    stated = period_changed or not record.period_estimated
    day = values.get("service_date", record.service_date)
    started, ended = (
        values.get("started_at", record.started_at),
        values.get("ended_at", record.ended_at),
    )
    if stated and not period_changed and "service_date" in values and started and ended:
        shift = day - record.service_date
        started, ended = started + shift, ended + shift
    if period_changed and "service_date" not in values and started is not None:
        day = timezone.localdate(started)
    minutes = values.get("minutes", None if period_changed else record.minutes)
    now = timezone.now()
    day, minutes = _check_record_fields(
        service_date=day,
        minutes=minutes,
        started_at=started if stated else None,
        ended_at=ended if stated else None,
        now=now,
        quality_rating=record.quality_rating,
    )
    _check_day_total(record.volunteer, day, minutes, record.pk)
    start, end, estimated = _place_period(
        volunteer=record.volunteer,
        service_date=day,
        minutes=minutes,
        started_at=started if stated else None,
        ended_at=ended if stated else None,
        now=now,
        exclude=record.pk,
    )
    for f in ("title", "place", "content", "person_in_charge", "beneficiary"):
        if f in values:
            setattr(record, f, values[f])
    record.service_date, record.minutes = day, minutes
    record.started_at, record.ended_at, record.period_estimated = start, end, estimated
    record.hours = service_hours(minutes, policy_for(record.organiser_unit).rounding)


@transaction.atomic
def correction_request_decide(
    *, actor: User, request_id: int, approve: bool, reason: str = ""
) -> CorrectionRequest:
    """The recording unit verifies a correction: approve (the record is amended and a new version
    kept) or reject with a reason."""
    request = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .filter(pk=request_id)
        .select_related("record__organiser_unit")
        .first()
    )
    if request is None or not may_record_for(actor, request.record.organiser_unit):
        raise NotFound("未找到该更正申请")
    if request.status != CorrectionRequest.Status.PENDING:
        raise Conflict("该更正申请已处理", field="status")
    reason = clean_text(
        reason, field="reason", label="不予更正的理由", max_length=300, required=not approve
    )
    record = record_for_update(request.record_id)
    if approve:
        before = record_snapshot(record)
        _apply_correction(record, request.changes)
        record_new_version(
            record, actor=actor, reason=f"更正申请 #{request.pk}：{request.reason}", before=before
        )
        save_validated(record)
        audit.record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=record,
            summary=f"依更正申请 #{request.pk} 修改服务记录",
            changes=audit.diff(before, record_snapshot(record)),
        )
    request.status = (
        CorrectionRequest.Status.APPROVED if approve else CorrectionRequest.Status.REJECTED
    )
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=request,
        summary=("同意" if approve else "不予") + f"更正服务记录 #{record.pk}",
        changes={"status": ["pending", request.status], "reason": reason},
    )
    return request


# --- training and honours ---------------------------------------------------------------------


def _volunteer_in_scope(actor: User, volunteer_id: int) -> Volunteer:
    volunteer = Volunteer.objects.filter(pk=volunteer_id).select_related("community").first()
    if volunteer is None or not may_record_for(actor, volunteer.community):
        raise NotFound("未找到该志愿者", field="volunteer_id")
    return volunteer


@transaction.atomic
def training_record_create(
    *,
    actor: User,
    volunteer_id: int,
    name: str,
    content: str,
    minutes: int,
    organiser: str,
    day: date,
) -> TrainingRecord:
    volunteer = _volunteer_in_scope(actor, volunteer_id)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"培训时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    if not isinstance(day, date) or day > timezone.localdate():
        raise InvalidInput("培训日期不能晚于今天", field="day")
    training = TrainingRecord(
        volunteer=volunteer,
        name=clean_text(name, field="name", label="培训名称", max_length=100),
        content=clean_text(content, field="content", label="培训内容", max_length=2000),
        minutes=minutes,
        organiser=clean_text(organiser, field="organiser", label="组织单位", max_length=100),
        day=day,
        recorded_by=actor,
    )
    save_validated(training)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=training,
        summary=f"记录培训 {training.name}",
    )
    return training


@transaction.atomic
def honour_create(*, actor: User, volunteer_id: int, name: str, day: date, grantor: str) -> Honour:
    volunteer = _volunteer_in_scope(actor, volunteer_id)
    if not isinstance(day, date) or day > timezone.localdate():
        raise InvalidInput("获得日期不能晚于今天", field="day")
    honour = Honour(
        volunteer=volunteer,
        name=clean_text(name, field="name", label="荣誉名称", max_length=100),
        day=day,
        grantor=clean_text(grantor, field="grantor", label="授予单位", max_length=100),
        recorded_by=actor,
    )
    save_validated(honour)
    audit.record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=honour, summary=f"记录荣誉 {honour.name}"
    )
    return honour


def hours_of(minutes: int, unit: OrgUnit | None) -> Decimal:
    """Hours credited for `minutes` under the region's rounding rule."""
    return service_hours(minutes, policy_for(unit).rounding)
