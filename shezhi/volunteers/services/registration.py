"""Registering volunteers (Measures art. 5 fields, guardian consent for minors) and their skills."""

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import audit
from shezhi.core.ages import ADULT_AGE, age_on
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.inputs import clean_text, save_validated
from shezhi.core.models import AuditEvent
from shezhi.core.validators import (
    InvalidValue,
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_mobile,
)
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Gender
from shezhi.volunteers.models import (
    DEFAULT_SKILL_LEVEL,
    PARTY_STATUSES,
    SKILL_LEVELS,
    Availability,
    Certificate,
    Consent,
    PoliticalStatus,
    ServiceCategory,
    SkillTag,
    Volunteer,
    VolunteerNumberSequence,
    VolunteerSkill,
)
from shezhi.volunteers.services.scope import may_record_for, volunteer_in_scope

GUARDIAN_AGE = ADULT_AGE  # under it a guardian must consent
SENSITIVE_AGE = 14


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


@dataclass(frozen=True)
class Identity:
    """A registrant's checked identity and contact; birth date and gender come from the ID."""

    name: str
    id_number: str
    phone: str
    born: date
    gender: str


@dataclass(frozen=True)
class Guardian:
    """A minor's guardian, who consented."""

    name: str
    phone: str
    relation: str


@dataclass(frozen=True)
class Profile:
    """Where a volunteer lives and what they offer, checked."""

    compound: OrgUnit | None
    categories: list[str]
    languages: list[str]
    political_status: str
    dual_report_community: OrgUnit | None


def _registering_user(actor: User, community: OrgUnit, user: User | None) -> User | None:
    """The account being registered: staff of the community (or above) register anyone (`user`,
    or a new account when None); a person without a staff role only themselves."""
    if actor.is_staff_role or sees_everything(actor):
        if not may_record_for(actor, community):
            raise NotFound("未找到该社区", field="community_id")
    else:
        if user is not None and user.pk != actor.pk:
            raise Forbidden("只能为本人登记志愿者")
        user = actor
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise Conflict("该账号已登记为志愿者", field="user")
    return user


def _check_identity(
    *, name: str, gender: str, birth_date: date | None, id_number: str, phone: str, today: date
) -> Identity:
    """Name, ID number and mobile; birth date and gender default to what the ID number says and
    must agree with it; one volunteer per ID number."""
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
    return Identity(name=name, id_number=id_number, phone=phone, born=born, gender=gender)


def _check_guardian(*, consent: bool, name: str, phone: str, relation: str) -> Guardian:
    """A minor registers only with a guardian's consent, name and mobile."""
    if not consent:
        raise InvalidInput("未满18周岁的志愿者须经监护人同意", field="guardian_consent")
    name = clean_text(name, field="guardian_name", label="监护人姓名", max_length=30)
    try:
        phone = validate_mobile(phone)
    except InvalidValue as exc:
        raise InvalidInput(str(exc), field="guardian_phone") from None
    relation = clean_text(
        relation or "监护人", field="guardian_relation", label="关系", max_length=10
    )
    return Guardian(name=name, phone=phone, relation=relation)


def _check_profile(
    *,
    community: OrgUnit,
    compound_id: int | None,
    service_categories: list[str] | None,
    languages: list[str] | None,
    political_status: str,
    dual_report_community_id: int | None,
) -> Profile:
    """Compound within the community, known service categories, political status; only party
    members name a 双报到 community."""
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
    return Profile(
        compound=compound,
        categories=categories,
        languages=langs,
        political_status=political_status,
        dual_report_community=dual,
    )


def _save_account(
    user: User | None, *, community: OrgUnit, identity: Identity, volunteer_no: str
) -> User:
    """Without an account, staff registration creates one with the volunteer role, an unusable
    password and the 统一编号 as username."""
    if user is None:
        user = User(username="", role=Role.VOLUNTEER, unit=community, display_name=identity.name)
        user.set_unusable_password()
    if not user.pk:
        user.username = volunteer_no
        user.phone = identity.phone
        user.save()
    return user


def _save_volunteer(
    *,
    user: User,
    volunteer_no: str,
    identity: Identity,
    community: OrgUnit,
    profile: Profile,
    address: str,
    sensitive: bool,
) -> Volunteer:
    volunteer = Volunteer(
        user=user,
        volunteer_no=volunteer_no,
        name=identity.name,
        gender=identity.gender,
        birth_date=identity.born,
        id_number=identity.id_number,
        phone=identity.phone,
        community=community,
        compound=profile.compound,
        address=clean_text(
            address, field="address", label="居住地址", max_length=100, required=False
        ),
        service_categories=profile.categories,
        languages=profile.languages,
        political_status=profile.political_status,
        dual_report_community=profile.dual_report_community,
        is_sensitive=sensitive,
    )
    save_validated(volunteer)
    return volunteer


def _add_availability(volunteer: Volunteer, availability: list[tuple[int, time, time]]) -> None:
    """Weekly windows [(weekday 0–6, start, end)], each ending after it starts."""
    for i, window in enumerate(availability):
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


def _add_certificates(volunteer: Volunteer, certificates: list[dict[str, Any]]) -> None:
    """Certificates [{"kind", "number", "expires_on"}] of a known kind."""
    for cert in certificates:
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


def _record_consents(
    volunteer: Volunteer, *, actor: User, version: str, guardian: Guardian | None
) -> None:
    """The volunteer's own consent and, for a minor, the guardian's."""
    now = timezone.now()
    Consent.objects.create(
        volunteer=volunteer,
        kind=Consent.Kind.SELF,
        text_version=version,
        agreed_at=now,
        recorded_by=actor,
    )
    if guardian is not None:
        Consent.objects.create(
            volunteer=volunteer,
            kind=Consent.Kind.GUARDIAN,
            text_version=version,
            agreed_at=now,
            guardian_name=guardian.name,
            guardian_phone=guardian.phone,
            guardian_relation=guardian.relation,
            recorded_by=actor,
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
    user = _registering_user(actor, community, user)
    identity = _check_identity(
        name=name,
        gender=gender,
        birth_date=birth_date,
        id_number=id_number,
        phone=phone,
        today=today,
    )
    consent_version = clean_text(
        consent_version, field="consent_version", label="同意的协议版本", max_length=20
    )
    age = age_on(identity.born, today)
    guardian: Guardian | None = None
    if age < GUARDIAN_AGE:
        guardian = _check_guardian(
            consent=guardian_consent,
            name=guardian_name,
            phone=guardian_phone,
            relation=guardian_relation,
        )
    profile = _check_profile(
        community=community,
        compound_id=compound_id,
        service_categories=service_categories,
        languages=languages,
        political_status=political_status,
        dual_report_community_id=dual_report_community_id,
    )
    tags = _skills(skills)
    levels = _skill_levels(tags, skill_levels)

    volunteer_no = _issue_volunteer_no(today)
    volunteer = _save_volunteer(
        user=_save_account(user, community=community, identity=identity, volunteer_no=volunteer_no),
        volunteer_no=volunteer_no,
        identity=identity,
        community=community,
        profile=profile,
        address=address,
        sensitive=age < SENSITIVE_AGE,
    )
    _set_skills(volunteer, tags, levels)
    _add_availability(volunteer, availability or [])
    _add_certificates(volunteer, certificates or [])
    _record_consents(volunteer, actor=actor, version=consent_version, guardian=guardian)
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
    volunteer = volunteer_in_scope(actor, volunteer_id)
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
