"""Registering volunteers (Measures art. 5 fields, guardian consent for minors) and their skills."""

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import audit
from shezhi.core.ages import ADULT_AGE, age_on
from shezhi.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    each_item,
)
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
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


def _issue_volunteer_nos(today: date, count: int) -> list[str]:
    """统一编号: "ZY" + year + 8-digit sequence, `count` of them reserved at once from a locked
    per-year counter."""
    seq, _ = VolunteerNumberSequence.objects.select_for_update().get_or_create(year=today.year)
    first = seq.last + 1
    seq.last += count
    seq.save(update_fields=["last"])
    return [f"ZY{today.year}{n:08d}" for n in range(first, seq.last + 1)]


class _Known:
    """What the checks of a batch look up, read once per batch: skill tags, units, and the ID
    numbers already registered (or taken by an earlier registration of the batch)."""

    def __init__(self, id_numbers: list[str], today: date):
        self.tags: dict[str, SkillTag] = {}
        for tag in SkillTag.objects.all():
            self.tags.setdefault(tag.code, tag)
            self.tags.setdefault(tag.name, tag)
        self.units: dict[int, OrgUnit | None] = {}
        valid = []
        for raw in id_numbers:
            with suppress(InvalidValue):  # refused with its row by the identity check
                valid.append(validate_id_number(raw, today=today))
        self.taken = set(
            Volunteer.objects.filter(id_number__in=valid).values_list("id_number", flat=True)
        )

    def unit(self, unit_id: int | None, *, level: int, field: str, label: str) -> OrgUnit | None:
        if unit_id is None:
            return None
        if unit_id not in self.units:
            self.units[unit_id] = OrgUnit.objects.filter(pk=unit_id).first()
        unit = self.units[unit_id]
        if unit is None or unit.level != level:
            raise NotFound(f"未找到该{label}", field=field)
        return unit

    def skills(self, values: list[str]) -> list[SkillTag]:
        wanted = [str(v).strip() for v in values or [] if str(v).strip()]
        unknown = [v for v in wanted if v not in self.tags]
        if unknown:
            raise InvalidInput(f"未知的专业技能：{'、'.join(unknown[:5])}", field="skills")
        return list({self.tags[v].pk: self.tags[v] for v in wanted}.values())


def _community(community_id: int) -> OrgUnit:
    community = OrgUnit.objects.filter(pk=community_id, level=Level.COMMUNITY).first()
    if community is None:
        raise NotFound("未找到该社区", field="community_id")
    return community


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
class Registration:
    """What a registrant gives (the fields of the Measures art. 5), not yet checked. `skills` are
    skill codes or names; `skill_levels` maps some of them to a level 1–5 (the others get 3);
    `birth_date`/`gender` default to what the ID number says and must agree with it;
    `availability` is [(weekday 0–6, start, end)]; `certificates` is [{"kind", "number",
    "expires_on"}]. Minors need `guardian_consent` and a guardian's name and phone."""

    name: str
    gender: str
    birth_date: date | None
    id_number: str
    phone: str
    skills: list[str]
    consent_version: str
    skill_levels: dict[str, int] | None = None
    guardian_consent: bool = False
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_relation: str = ""
    compound_id: int | None = None
    address: str = ""
    service_categories: list[str] | None = None
    languages: list[str] | None = None
    political_status: str = PoliticalStatus.MASSES
    dual_report_community_id: int | None = None
    availability: list[tuple[int, time, time]] | None = None
    certificates: list[dict[str, Any]] | None = None


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
    address: str


@dataclass(frozen=True)
class Checked:
    """A registration that passed every check, ready to be saved."""

    user: User | None
    identity: Identity
    guardian: Guardian | None
    profile: Profile
    tags: list[SkillTag]
    levels: dict[int, int]
    availability: list[tuple[int, time, time]]
    certificates: list[tuple[str, str, date | None]]
    consent_version: str
    age: int


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


def _check_identity(reg: Registration, *, today: date, known: _Known) -> Identity:
    """Name, ID number and mobile; birth date and gender default to what the ID number says and
    must agree with it; one volunteer per ID number."""
    name = clean_text(reg.name, field="name", label="姓名", max_length=30)
    try:
        id_number = validate_id_number(reg.id_number, today=today)
    except InvalidValue as exc:
        raise InvalidInput(str(exc), field="id_number") from None
    try:
        phone = validate_mobile(reg.phone)
    except InvalidValue as exc:
        raise InvalidInput(str(exc), field="phone") from None
    born = birth_date_from_id(id_number)
    if reg.birth_date is not None and reg.birth_date != born:
        raise InvalidInput("出生日期与身份证号码不一致", field="birth_date")
    gender = reg.gender or gender_from_id(id_number)
    if gender not in Gender.values:
        raise InvalidInput("性别应为男或女", field="gender")
    if gender != gender_from_id(id_number):
        raise InvalidInput("性别与身份证号码不一致", field="gender")
    if id_number in known.taken:
        raise Conflict("该身份证号码已登记为志愿者", field="id_number")
    return Identity(name=name, id_number=id_number, phone=phone, born=born, gender=gender)


def _check_guardian(reg: Registration) -> Guardian:
    """A minor registers only with a guardian's consent, name and mobile."""
    if not reg.guardian_consent:
        raise InvalidInput("未满18周岁的志愿者须经监护人同意", field="guardian_consent")
    name = clean_text(reg.guardian_name, field="guardian_name", label="监护人姓名", max_length=30)
    try:
        phone = validate_mobile(reg.guardian_phone)
    except InvalidValue as exc:
        raise InvalidInput(str(exc), field="guardian_phone") from None
    relation = clean_text(
        reg.guardian_relation or "监护人", field="guardian_relation", label="关系", max_length=10
    )
    return Guardian(name=name, phone=phone, relation=relation)


def _check_profile(reg: Registration, *, community: OrgUnit, known: _Known) -> Profile:
    """Compound within the community, known service categories, political status; only party
    members name a 双报到 community."""
    compound = known.unit(reg.compound_id, level=Level.COMPOUND, field="compound_id", label="小区")
    if compound is not None and compound.parent_id != community.pk:
        raise InvalidInput("小区不属于所选社区", field="compound_id")
    categories = [str(c) for c in reg.service_categories or []]
    bad = [c for c in categories if c not in ServiceCategory.values]
    if bad:
        raise InvalidInput(f"未知的服务类别：{'、'.join(bad[:5])}", field="service_categories")
    langs = [
        clean_text(v, field="languages", label="语言", max_length=20) for v in reg.languages or []
    ]
    if reg.political_status not in PoliticalStatus.values:
        raise InvalidInput("政治面貌不正确", field="political_status")
    dual = known.unit(
        reg.dual_report_community_id,
        level=Level.COMMUNITY,
        field="dual_report_community_id",
        label="社区",
    )
    if dual is not None and reg.political_status not in PARTY_STATUSES:
        raise InvalidInput("只有党员可以登记“双报到”社区", field="dual_report_community_id")
    address = clean_text(
        reg.address, field="address", label="居住地址", max_length=100, required=False
    )
    return Profile(
        compound=compound,
        categories=categories,
        languages=langs,
        political_status=reg.political_status,
        dual_report_community=dual,
        address=address,
    )


def _check_availability(availability: list[tuple[int, time, time]]) -> list[tuple[int, time, time]]:
    """Weekly windows [(weekday 0–6, start, end)], each ending after it starts."""
    out = []
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
        out.append((weekday, start, end))
    return out


def _check_certificates(certificates: list[dict[str, Any]]) -> list[tuple[str, str, date | None]]:
    """Certificates [{"kind", "number", "expires_on"}] of a known kind."""
    out = []
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
        out.append((kind, number, expires))
    return out


def _check(
    reg: Registration, *, community: OrgUnit, user: User | None, today: date, known: _Known
) -> Checked:
    """Every rule of a registration, in the order a person fills the form in."""
    identity = _check_identity(reg, today=today, known=known)
    consent_version = clean_text(
        reg.consent_version, field="consent_version", label="同意的协议版本", max_length=20
    )
    age = age_on(identity.born, today)
    guardian = _check_guardian(reg) if age < GUARDIAN_AGE else None
    profile = _check_profile(reg, community=community, known=known)
    tags = known.skills(reg.skills)
    checked = Checked(
        user=user,
        identity=identity,
        guardian=guardian,
        profile=profile,
        tags=tags,
        levels=_skill_levels(tags, reg.skill_levels),
        availability=_check_availability(reg.availability or []),
        certificates=_check_certificates(reg.certificates or []),
        consent_version=consent_version,
        age=age,
    )
    known.taken.add(identity.id_number)  # a second registration in the batch is a duplicate
    return checked


def _volunteer(c: Checked, *, user: User, volunteer_no: str, community: OrgUnit) -> Volunteer:
    volunteer = Volunteer(
        user=user,
        volunteer_no=volunteer_no,
        name=c.identity.name,
        gender=c.identity.gender,
        birth_date=c.identity.born,
        id_number=c.identity.id_number,
        phone=c.identity.phone,
        community=community,
        compound=c.profile.compound,
        address=c.profile.address,
        service_categories=c.profile.categories,
        languages=c.profile.languages,
        political_status=c.profile.political_status,
        dual_report_community=c.profile.dual_report_community,
        is_sensitive=c.age < SENSITIVE_AGE,
    )
    # Field rules only: the units were loaded by the checks; uniqueness is the ID check's and the
    # database's.
    validate_model(volunteer, constraints=False, unique=False, relations=False)
    return volunteer


def _accounts(checked: list[Checked], numbers: list[str], community: OrgUnit) -> list[User]:
    """Each registrant's account; staff registration without one creates it with the volunteer
    role, an unusable password and the 统一编号 as username."""
    users = []
    for c, no in zip(checked, numbers, strict=True):
        user = c.user
        if user is None:
            user = User(
                username=no,
                role=Role.VOLUNTEER,
                unit=community,
                display_name=c.identity.name,
                phone=c.identity.phone,
            )
            user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create([u for u in users if not u.pk])
    return users


def _consents(v: Volunteer, c: Checked, *, actor: User, now: datetime) -> list[Consent]:
    """The volunteer's own consent and, for a minor, the guardian's."""
    own = Consent(
        volunteer=v,
        kind=Consent.Kind.SELF,
        text_version=c.consent_version,
        agreed_at=now,
        recorded_by=actor,
    )
    if c.guardian is None:
        return [own]
    guardian = Consent(
        volunteer=v,
        kind=Consent.Kind.GUARDIAN,
        text_version=c.consent_version,
        agreed_at=now,
        guardian_name=c.guardian.name,
        guardian_phone=c.guardian.phone,
        guardian_relation=c.guardian.relation,
        recorded_by=actor,
    )
    return [own, guardian]


def _save(actor: User, community: OrgUnit, checked: list[Checked], today: date) -> list[Volunteer]:
    """Save checked registrations with a few bulk inserts per table, numbers reserved at once."""
    numbers = _issue_volunteer_nos(today, len(checked))
    users = _accounts(checked, numbers, community)
    volunteers = [
        _volunteer(c, user=u, volunteer_no=no, community=community)
        for c, u, no in zip(checked, users, numbers, strict=True)
    ]
    try:
        with transaction.atomic():  # a savepoint: a concurrent registration may win the race
            Volunteer.objects.bulk_create(volunteers)
            rollups_touch_rows("volunteers.Volunteer", volunteers, created=True)
    except IntegrityError:
        raise Conflict(
            "该身份证号码或账号刚刚已被登记为志愿者，请刷新后查看", field="id_number"
        ) from None
    now = timezone.now()
    pairs = list(zip(volunteers, checked, strict=True))
    VolunteerSkill.objects.bulk_create(
        VolunteerSkill(volunteer=v, skill=t, level=c.levels[t.pk]) for v, c in pairs for t in c.tags
    )
    Availability.objects.bulk_create(
        Availability(volunteer=v, weekday=d, start=s, end=e)
        for v, c in pairs
        for d, s, e in c.availability
    )
    Certificate.objects.bulk_create(
        Certificate(volunteer=v, kind=k, number=n, expires_on=x)
        for v, c in pairs
        for k, n, x in c.certificates
    )
    Consent.objects.bulk_create(
        consent for v, c in pairs for consent in _consents(v, c, actor=actor, now=now)
    )
    audit.record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        items=[
            (
                v,
                f"登记志愿者 {v.volunteer_no}",
                {"minor": c.age < GUARDIAN_AGE, "consent_version": c.consent_version},
            )
            for v, c in pairs
        ],
    )
    return volunteers


@transaction.atomic
def volunteer_register(
    *,
    actor: User,
    community_id: int,
    user: User | None = None,
    today: date | None = None,
    **fields: Any,
) -> Volunteer:
    """Register a volunteer (`fields` are those of `Registration`) and issue the 统一编号.

    Staff of the community (or above) register anyone; a person without a staff role registers
    only themselves (`user` is then the actor). Without `user`, staff registration creates an
    account with the volunteer role and an unusable password. Under 14 the record is flagged
    sensitive.
    """
    today = today or timezone.localdate()
    community = _community(community_id)
    user = _registering_user(actor, community, user)
    registration = Registration(**fields)
    known = _Known([registration.id_number], today)
    checked = _check(registration, community=community, user=user, today=today, known=known)
    return _save(actor, community, [checked], today)[0]


@transaction.atomic
def volunteers_register_many(
    *,
    actor: User,
    community_id: int,
    registrations: Sequence[Registration],
    today: date | None = None,
) -> list[Volunteer]:
    """Register many volunteers of one community at once (staff, e.g. an Excel import), each with
    a new account, under the same rules as `volunteer_register`, with a few queries per batch
    instead of a dozen per person. All or none: the first refused registration raises
    ItemRefused naming its index."""
    today = today or timezone.localdate()
    community = _community(community_id)
    if not actor.is_staff_role and not sees_everything(actor):
        raise Forbidden("只有社工可以批量登记志愿者")
    _registering_user(actor, community, None)
    known = _Known([r.id_number for r in registrations], today)
    checked = each_item(
        registrations,
        lambda r: _check(r, community=community, user=None, today=today, known=known),
    )
    return _save(actor, community, checked, today) if checked else []


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
    tags = _Known([], timezone.localdate()).skills(skills)
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
