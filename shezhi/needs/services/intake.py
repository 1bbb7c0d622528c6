"""点单 (create) and editing a need's details."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import audit, summary
from shezhi.core.errors import (
    Conflict,
    ErrorCode,
    Forbidden,
    InvalidInput,
    NotFound,
)
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
from shezhi.core.signals import announce_free_text
from shezhi.needs.models import HelperGender, Need, NeedCategory, NeedTransition, UrgencyLevel
from shezhi.needs.permissions import NeedAction, need_require, need_require_role
from shezhi.needs.services.common import (
    load_need,
)
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident
from shezhi.people.selectors import resident_get


def _category(code: str) -> NeedCategory:
    category = NeedCategory.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise InvalidInput("请选择有效的需求类别", field="category")
    return category


def _urgency(code: str) -> UrgencyLevel:
    urgency = UrgencyLevel.objects.filter(code=code).first()
    if urgency is None:
        raise InvalidInput("请选择有效的紧急程度", field="urgency")
    return urgency


def _source_for(actor: User, source: str | None) -> str:
    if actor.role == Role.RESIDENT:
        return Need.Source.ONLINE
    if source is None:
        return Need.Source.GRID if actor.role == Role.GRID_WORKER else Need.Source.PHONE
    if source not in Need.Source.values:
        raise InvalidInput("请选择有效的需求来源", field="source")
    return source


MAX_WANTED_WINDOW = timedelta(days=7)


def _check_wanted_window(
    wanted_from: datetime | None, wanted_until: datetime | None, *, now: datetime | None = None
) -> None:
    """The time the resident wants the service: both ends or neither, in order, at most a week,
    not over already (checked when it is set, not when an old need is edited otherwise)."""
    if (wanted_from is None) != (wanted_until is None):
        missing = "wanted_until" if wanted_until is None else "wanted_from"
        raise InvalidInput("请同时填写期望服务的开始和结束时间", field=missing)
    if wanted_from is None or wanted_until is None:
        return
    if wanted_until <= wanted_from:
        raise InvalidInput("期望服务结束时间应晚于开始时间", field="wanted_until")
    if wanted_until - wanted_from > MAX_WANTED_WINDOW:
        raise InvalidInput("期望服务时段不能超过7天；不限时间请留空", field="wanted_until")
    if wanted_until <= (now or timezone.now()):
        raise InvalidInput("期望服务时段已经过去，请重新选择", field="wanted_until")


def _check_helper_gender(value: str) -> str:
    if value not in HelperGender.values:
        raise InvalidInput("服务者性别要求只能是不限、男或女", field="helper_gender")
    return value


@transaction.atomic
def need_create(
    *,
    actor: User,
    category: str,
    urgency: str,
    description: str,
    title: str = "",
    source: str | None = None,
    resident_id: int | None = None,
    community_id: int | None = None,
    address: str = "",
    contact_phone: str = "",
    wanted_from: datetime | None = None,
    wanted_until: datetime | None = None,
    helper_gender: str = "",
    home_visit: bool = True,
    hazardous: bool = False,
) -> Need:
    """点单: a resident orders help online, or staff record a need from a visit, call or report.
    The wanted time, the helper's gender and whether it is a home visit bind the dispatch."""
    resident: Resident | None = None
    if actor.role == Role.RESIDENT:
        resident = Resident.objects.filter(user=actor).select_related("compound").first()
        if resident is None:
            raise Forbidden("您的账号尚未关联居民信息，请联系社区社工")
    elif actor.is_staff_role:
        if resident_id is not None:
            resident = resident_get(actor=actor, resident_id=resident_id)
    else:
        raise Forbidden("您的角色无权登记需求")

    community = _community_for(actor, resident, community_id)
    description = clean_text(description, field="description", label="需求描述", max_length=2000)
    _check_wanted_window(wanted_from, wanted_until)
    need = Need(
        title=need_title(title, description),
        description=description,
        category=_category(category),
        urgency=_urgency(urgency),
        source=_source_for(actor, source),
        resident=resident,
        community=community,
        grid=resident.grid if resident else None,
        address=(address or (resident.compound.name + resident.address if resident else "")),
        contact_phone=(contact_phone or (resident.phone if resident else "")).strip(),
        created_by=actor,
        wanted_from=wanted_from,
        wanted_until=wanted_until,
        helper_gender=_check_helper_gender(helper_gender),
        home_visit=bool(home_visit),
        hazardous=bool(hazardous),
    )
    if resident and resident.compound.latitude is not None:
        need.latitude, need.longitude = resident.compound.latitude, resident.compound.longitude
    elif community.latitude is not None:
        need.latitude, need.longitude = community.latitude, community.longitude
    need.set_deadlines()
    validate_model(need)
    need.save()
    NeedTransition.objects.create(
        need=need,
        action="create",
        to_status=need.status,
        actor=actor,
        note=need.get_source_display(),
    )
    audit.record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=need, summary=f"登记需求：{need.title}"
    )
    announce_free_text(
        sender=Need,
        source_type="needs.need",
        source_id=str(need.pk),
        text=f"{need.title}\n{need.description}",
        resident_id=need.resident_id,
        community_id=need.community_id,
    )
    return need


def need_title(title: str | None, description: str) -> str:
    """The typed short title, or one summarised from the description without cutting words."""
    title = summary.clean(title or "")
    if len(title) > summary.TITLE_CHARS:
        raise InvalidInput(f"标题请不超过{summary.TITLE_CHARS}个字", field="title")
    return title or summary.summarise(description)


def _community_for(actor: User, resident: Resident | None, community_id: int | None) -> OrgUnit:
    if resident is not None:
        return resident.community
    if community_id is None:
        if actor.unit and actor.unit.level >= Level.COMMUNITY:
            community = actor.unit.ancestor(Level.COMMUNITY)
            if community:
                return community
        raise InvalidInput("请选择需求所在社区或服务对象", field="community")
    community = OrgUnit.objects.filter(pk=community_id, level=Level.COMMUNITY).first()
    if community is None or not (
        sees_everything(actor) or (actor.unit and community.path.startswith(actor.unit.path))
    ):
        raise NotFound("未找到该社区", field="community")
    return community


EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "urgency",
    "address",
    "contact_phone",
    "wanted_from",
    "wanted_until",
    "helper_gender",
    "home_visit",
    "hazardous",
)


@transaction.atomic
def need_update(*, actor: User, need_id: int, expected_version: int, **changes: Any) -> Need:
    """Edit a need's details. Two people editing the same version: the second gets 409."""
    need_require_role(actor, NeedAction.EDIT)
    need = load_need(actor, need_id, expected_version)
    need_require(actor, need, NeedAction.EDIT)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"不能修改字段：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    if "title" in changes or "description" in changes:
        changes["title"] = need_title(
            changes.get("title", need.title), changes.get("description", need.description)
        )
    before = {f: str(getattr(need, f)) for f in changes}
    if "category" in changes:
        need.category = _category(changes.pop("category"))
    if "urgency" in changes:
        need.urgency = _urgency(changes.pop("urgency"))
        need.set_deadlines(need.created_at)
    if "helper_gender" in changes:
        _check_helper_gender(changes["helper_gender"])
    window_before = (need.wanted_from, need.wanted_until)
    for field, value in changes.items():
        setattr(need, field, value.strip() if isinstance(value, str) else value)
    if (need.wanted_from, need.wanted_until) != window_before:
        _check_wanted_window(need.wanted_from, need.wanted_until)
    validate_model(need)
    values = {f: getattr(need, f) for f in (*EDITABLE_FIELDS, "respond_by", "resolve_by")}
    rollups_touch_rows("needs.Need", [need])
    updated = Need.objects.filter(pk=need.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **values
    )
    if updated != 1:
        raise Conflict("该需求已被他人修改，请刷新后再试", code=ErrorCode.STALE)
    after = {f: str(getattr(need, f)) for f in before}
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=need,
        summary="修改需求",
        changes=audit.diff(before, after),
    )
    need.refresh_from_db()
    return need
