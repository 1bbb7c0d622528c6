"""Writes to the needs ledger: 点单 (create), 派单 (dispatch), 接单 (accept), 办结 (complete),
评单 (rate), and the side paths. Each runs in one transaction, records the transition and an
audit event, and changes the row only if nobody changed it first (the version check), so
that of two concurrent writers exactly one wins."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.core import audit, neutral, summary
from shezhi.core.ages import ADULT_AGE
from shezhi.core.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    Forbidden,
    InvalidInput,
    NotFound,
)
from shezhi.core.inputs import clean_int, clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.signals import announce_free_text
from shezhi.needs import matching_adapter, notices
from shezhi.needs.errors import NeedError
from shezhi.needs.models import HelperGender, Need, NeedCategory, NeedTransition, UrgencyLevel
from shezhi.needs.permissions import NeedAction, need_require, need_require_role
from shezhi.needs.selectors import need_get, needs_visible_to
from shezhi.needs.workflow import ACTION_LABELS, Action, IllegalTransition, Status, next_status
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from shezhi.org.models import Level, OrgUnit, PartnerOrganisation
from shezhi.people.models import Resident
from shezhi.people.selectors import resident_get
from shezhi.volunteers import commitments, trust
from shezhi.volunteers.holds import service_record_rated
from shezhi.volunteers.models import Team, Volunteer
from shezhi.volunteers.services import service_record_create

MAX_MINUTES = 24 * 60
LOW_RATING = 2


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


def _apply(*, actor: User, need: Need, action: Action, note: str = "", **fields: Any) -> Need:
    """Move `need` by `action` if nobody changed it since it was read; record who and why."""
    current = Status(need.status)
    try:
        target = next_status(current, action, note=note)
    except IllegalTransition as exc:
        raise Conflict(str(exc), code=ErrorCode.ILLEGAL_TRANSITION) from None
    updated = Need.objects.filter(pk=need.pk, version=need.version, status=current).update(
        status=target, version=F("version") + 1, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise Conflict("该需求刚被他人处理，请刷新后再试", code=ErrorCode.STALE)
    NeedTransition.objects.create(
        need=need,
        action=action,
        from_status=current,
        to_status=target,
        actor=actor,
        note=note[:500],
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=need,
        summary=f"{ACTION_LABELS[action]}：{note}"[:300],
        changes={"status": [current.value, target.value]},
    )
    need.refresh_from_db()
    return need


def _load(actor: User, need_id: int, expected_version: int | None) -> Need:
    need = need_get(actor=actor, need_id=need_id)
    if expected_version is not None and expected_version != need.version:
        raise Conflict("该需求已被他人修改，请刷新后再试", code=ErrorCode.STALE)
    return need


def _require_dispatcher(actor: User) -> None:
    """Batch dispatch (no single need): the same role answer as needs/permissions.py."""
    need_require_role(actor, NeedAction.DISPATCH)


ASSIGNEE_FIELDS = ("assignee_volunteer", "assignee_team", "assignee_user", "assignee_partner")


def _assignee(need: Need, kind: str, target_id: int | None) -> dict[str, Any]:
    """The assignee columns for a dispatch; the target must belong to the need's community."""
    fields: dict[str, Any] = {f: None for f in ASSIGNEE_FIELDS}
    fields["assignee_kind"] = kind
    community = need.community
    not_found = NotFound("未找到该派单对象", field="target_id")
    if kind == Need.AssigneeKind.POOL:
        return fields
    if target_id is None:
        raise InvalidInput("请选择派单对象", field="target_id")
    if kind == Need.AssigneeKind.VOLUNTEER:
        target: Any = Volunteer.objects.filter(
            pk=target_id, community=community, is_active=True
        ).first()
        fields["assignee_volunteer"] = target
        if target is not None and need.hazardous and _is_minor(target):
            raise InvalidInput("危险作业不能派给未成年志愿者", field="target_id")
    elif kind == Need.AssigneeKind.TEAM:
        # Only a founded team serves: one applied for (or refused, dissolved) cannot take orders.
        target = Team.objects.filter(
            pk=target_id, community=community, status=Team.Status.FOUNDED
        ).first()
        fields["assignee_team"] = target
    elif kind == Need.AssigneeKind.SOCIAL_WORKER:
        target = User.objects.filter(
            pk=target_id,
            role=Role.SOCIAL_WORKER,
            is_active=True,
            unit__path__startswith=community.path,
        ).first()
        fields["assignee_user"] = target
    elif kind == Need.AssigneeKind.PARTNER:
        target = PartnerOrganisation.objects.filter(pk=target_id, is_active=True).first()
        if target and not community.path.startswith(target.unit.path):
            target = None
        fields["assignee_partner"] = target
    else:
        raise InvalidInput("派单对象类型无效", field="target_kind")
    if target is None:
        raise not_found
    return fields


@transaction.atomic
def need_dispatch(
    *,
    actor: User,
    need_id: int,
    target_kind: str,
    target_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Need:
    """派单 (or 重新派单 when already dispatched or accepted)."""
    need_require_role(actor, NeedAction.DISPATCH)
    need = _load(actor, need_id, expected_version)
    action = Action.DISPATCH if need.status == Status.PENDING else Action.REDISPATCH
    need_require(actor, need, NeedAction(action.value))
    fields = _assignee(need, target_kind, target_id)
    fields.update(dispatched_at=timezone.now(), accepted_by=None, accepted_at=None)
    held = notices.before(need)
    need = _apply(actor=actor, need=need, action=action, note=note or need.assignee_label, **fields)
    notices.withdrawn(need, before=held)
    notices.dispatched(need)
    return need


def _is_minor(volunteer: Volunteer) -> bool:
    return volunteer.age_on(timezone.localdate()) < ADULT_AGE


@transaction.atomic
def need_accept(*, actor: User, need_id: int, expected_version: int | None = None) -> Need:
    """接单. When several helpers accept at once, the first write wins; the others get 409."""
    need = _load(actor, need_id, expected_version)
    need_require(actor, need, NeedAction.ACCEPT)
    _refuse_clash_on_accept(actor, need)
    need = _apply(
        actor=actor,
        need=need,
        action=Action.ACCEPT,
        accepted_by=actor,
        accepted_at=timezone.now(),
        started_at=None,  # a start from an earlier round (before a reopen) is not this one's
    )
    notices.accepted(need)
    return need


def booked_period(need: Need) -> tuple[datetime, datetime] | None:
    """The period an accepted order occupies its helper (None without a booked time)."""
    return trust.booked_period(need.wanted_from, need.wanted_until, need.category.max_minutes)


def _refuse_clash_on_accept(actor: User, need: Need) -> None:
    """A volunteer cannot accept an order booked at a time they already signed up for an
    activity or accepted another order (refused, not warned: the resident relies on the time)."""
    period = booked_period(need)
    volunteer = Volunteer.objects.filter(user=actor).first()
    if period is None or volunteer is None:
        return
    commitments.refuse_clash(
        volunteer, period[0], period[1], exclude=f"need:{need.pk}", doing="接这张订单"
    )


def accepted_orders_of(volunteer: Volunteer, start: datetime, end: datetime) -> list:
    """Commitments provider: the volunteer's accepted or started orders booked in [start, end)."""
    needs = Need.objects.filter(
        accepted_by_id=volunteer.user_id,
        status__in=[Status.ACCEPTED, Status.IN_SERVICE],
        wanted_from__lt=end,
        wanted_from__gt=start - timedelta(days=1),
    ).select_related("category")
    found = []
    for need in needs:
        period = booked_period(need)
        if period is not None:
            found.append(
                commitments.Commitment(
                    key=f"need:{need.pk}",
                    label=f"已接的订单“{need.category.name}”",
                    start=period[0],
                    end=period[1],
                )
            )
    return found


def _window_text(need: Need) -> str:
    period = trust.start_window(
        need.wanted_from, need.wanted_until, settings.SHEZHI_SERVICE_START_WINDOW_MINUTES
    )
    assert period is not None
    opens, closes = (timezone.localtime(t) for t in period)
    return f"{opens:%m月%d日 %H:%M}至{closes:%m月%d日 %H:%M}"


@transaction.atomic
def need_start(*, actor: User, need_id: int, now: datetime | None = None) -> Need:
    """开始服务: only within the window around the booked time (settings
    SHEZHI_SERVICE_START_WINDOW_MINUTES), unless a social worker waived it for this order.
    The server's clock marks the start; completion claims are checked against it."""
    now = now or timezone.now()
    need = _load(actor, need_id, None)
    need_require(actor, need, NeedAction.START)
    if need.start_window_waived_at is None:
        verdict = trust.check_start(
            now, need.wanted_from, need.wanted_until, settings.SHEZHI_SERVICE_START_WINDOW_MINUTES
        )
        if verdict == trust.StartVerdict.TOO_EARLY:
            raise Conflict(
                f"还没到预约的服务时间，请在{_window_text(need)}之间开始服务；"
                "如需提前，请联系社工准许",
                code=NeedError.TOO_EARLY,
            )
        if verdict == trust.StartVerdict.TOO_LATE:
            raise Conflict(
                f"已超过预约的服务时间（应在{_window_text(need)}之间开始），请联系社工准许后再开始",
                code=NeedError.TOO_LATE,
            )
    need = _apply(actor=actor, need=need, action=Action.START, started_at=now)
    notices.started(need)
    return need


@transaction.atomic
def need_waive_start_window(*, actor: User, need_id: int, reason: str) -> Need:
    """A social worker lets the helper start this order outside the window around the booked
    time (the resident moved the appointment, an emergency …); the reason is audited."""
    need_require_role(actor, NeedAction.WAIVE_START)
    need = _load(actor, need_id, None)
    if need.wanted_from is None:
        raise Conflict("该订单没有预约时间，开始服务不受时间限制", code=NeedError.NO_BOOKED_TIME)
    need_require(actor, need, NeedAction.WAIVE_START)
    reason = clean_text(reason, field="reason", label="准许的原因", max_length=300)
    now = timezone.now()
    updated = Need.objects.filter(pk=need.pk, version=need.version).update(
        start_window_waived_at=now,
        start_window_waiver=reason,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated != 1:
        raise Conflict("该需求刚被他人处理，请刷新后再试", code=ErrorCode.STALE)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=need,
        summary=f"准许不按预约时间开始服务：{reason}"[:300],
        changes={"start_window_waiver": reason},
    )
    need.refresh_from_db()
    if need.accepted_by is not None:  # the taker may now start; nobody else needs to know
        notify(
            recipient=need.accepted_by,
            kind=Notification.Kind.GENERAL,
            title="社工已准许您现在开始服务",
            body=f"订单“{need.category.name}”可以不按预约时间开始服务。原因：{reason}"[:500],
            link=f"/m/orders/{need.pk}/",
            dedupe_key=f"start-waived:{need.pk}",
        )
    return need


@transaction.atomic
def need_complete(
    *, actor: User, need_id: int, minutes: int, note: str, service_description: str = ""
) -> Need:
    """办结: records the time spent and credits a volunteer taker with a service record.

    The note stays on the need. The record — which leaves the platform on proofs and exports —
    carries the category and a neutral description (`service_description`, default
    "为社区居民提供…服务"), never the resident's words or the note."""
    need = _load(actor, need_id, None)
    need_require(actor, need, NeedAction.COMPLETE)
    description = service_description_check(need, service_description)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"服务时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    note = clean_text(note, field="note", label="服务情况说明", max_length=2000)
    now = timezone.now()
    started_at = need.started_at
    need = _apply(
        actor=actor,
        need=need,
        action=Action.COMPLETE,
        note=note[:500],
        minutes_spent=minutes,
        completion_note=note,
        completed_at=now,
    )
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is not None:
        _credit_order(
            need,
            actor=actor,
            volunteer=volunteer,
            description=description,
            minutes=minutes,
            now=now,
            started_at=started_at,
        )
    notices.completed(need)
    return need


def service_description_check(need: Need, text: str | None) -> str:
    """The worker's description of the service for the record, or the neutral default; refused
    when it carries a phone, an ID number, an age, an address or a name."""
    text = summary.clean(text or "")
    if not text:
        return need.public_description
    if len(text) > neutral.DESCRIPTION_CHARS:
        raise InvalidInput(
            f"服务记录说明请不超过{neutral.DESCRIPTION_CHARS}个字", field="service_description"
        )
    names = [need.resident.name] if need.resident_id and need.resident else []
    found = neutral.personal_data_in(text, names=names)
    if found:
        raise InvalidInput(
            "服务记录说明会出现在志愿服务证明和导出中，请不要写入"
            + "、".join(found)
            + "，只写服务类别和做了什么，如“"
            + need.public_description
            + "”",
            field="service_description",
        )
    return text


def _credit_order(
    need: Need,
    *,
    actor: User,
    volunteer: Volunteer,
    minutes: int,
    description: str,
    now: datetime,
    started_at: datetime | None,
) -> None:
    """The volunteer's record of a completed order. It is held (待社工确认) while the resident has
    not confirmed it by a rating, and for a social worker when the claim exceeds the time between
    start and completion on the server's clock or the category's maximum, or when it overlaps
    the volunteer's other records (rules and the rating rule: volunteers/trust.py)."""
    elapsed = trust.elapsed_minutes(started_at, now)
    holds = trust.claim_holds(
        claimed=minutes, elapsed=elapsed, category_max=need.category.max_minutes
    )
    holds.append(trust.hold(trust.HoldCode.UNCONFIRMED))
    # The stated period on the server's clock lets overlaps be found; a start more than a day
    # back (or none) leaves the period estimated from the minutes.
    stated = elapsed is not None and started_at is not None and 0 < elapsed <= MAX_MINUTES
    service_record_create(
        recorder=actor,
        volunteer=volunteer,
        title=need.public_title,
        service_date=None if stated else timezone.localdate(now),
        place=need.community.name,  # not the resident's home address
        content=description,
        category=need.category.name,
        minutes=minutes,
        started_at=started_at if stated else None,
        ended_at=now if stated else None,
        organiser_unit=need.community,
        person_in_charge=str(need_dispatcher(need) or need.created_by),
        beneficiary=need.resident.masked_name if need.resident else "",
        source=f"need:{need.pk}",
        now=now,
        holds=holds,
        hold_clashes=True,
    )


def need_dispatcher(need: Need) -> User | None:
    last = need.transitions.filter(action__in=[Action.DISPATCH, Action.REDISPATCH]).last()
    return last.actor if last else None


@transaction.atomic
def need_rate(*, actor: User, need_id: int, score: int, comment: str = "") -> Need:
    """评单: the resident rates 1–5; 2 or less sends the need back to the social worker."""
    need = _load(actor, need_id, None)
    need_require(actor, need, NeedAction.RATE)
    score = clean_int(score, field="score", label="评分", low=1, high=5)
    comment = clean_text(comment, field="comment", label="评价内容", max_length=500, required=False)
    need = _apply(
        actor=actor,
        need=need,
        action=Action.RATE,
        note=f"{score}分 {comment}",
        rating=score,
        rating_comment=comment,
        rated_at=timezone.now(),
        needs_review=score <= LOW_RATING,
    )
    # The rating confirms that the service took place (volunteers/trust.py).
    service_record_rated(actor=actor, source=f"need:{need.pk}", score=score)
    announce_free_text(
        sender=Need,
        source_type="needs.rating",
        source_id=str(need.pk),
        text=comment,
        resident_id=need.resident_id,
        community_id=need.community_id,
    )
    notices.rated(need)
    return need


@transaction.atomic
def need_return(*, actor: User, need_id: int, reason: str) -> Need:
    """退回: the helper declines, or the social worker withdraws the order, back to 待受理."""
    need = _load(actor, need_id, None)
    need_require(actor, need, NeedAction.RETURN)
    fields: dict[str, Any] = {f: None for f in ASSIGNEE_FIELDS}
    fields.update(assignee_kind="", accepted_by=None, accepted_at=None)
    declined_by_helper = not actor.can_dispatch and not sees_everything(actor)
    held = notices.before(need)
    need = _apply(
        actor=actor, need=need, action=Action.RETURN, note=(reason or "").strip(), **fields
    )
    if declined_by_helper:
        need = _redispatch_after_decline(need=need, declined_by=actor)
        notices.declined(need, before=held)
    else:
        notices.returned(need, before=held)
    return need


def _redispatch_after_decline(*, need: Need, declined_by: User) -> Need:
    """A helper declined: offer the order to the engine's next best candidate (helpers who
    declined it before are excluded), in the name of the social worker who dispatched it.
    With nobody left, the need stays 待受理 for the social worker."""
    dispatcher = need_dispatcher(need)
    best = matching_adapter.next_best(need)
    if dispatcher is None or best is None:
        return need
    fields = _assignee(need, best.kind, best.id)
    fields.update(dispatched_at=timezone.now())
    return _apply(
        actor=dispatcher,
        need=need,
        action=Action.DISPATCH,
        note=f"自动改派（{declined_by}退单）：{best.name}",
        **fields,
    )


@transaction.atomic
def need_cancel(*, actor: User, need_id: int, reason: str) -> Need:
    """取消: by a social worker, or by the resident before anyone has accepted."""
    need = _load(actor, need_id, None)
    need_require(actor, need, NeedAction.CANCEL)
    held = notices.before(need)
    need = _apply(actor=actor, need=need, action=Action.CANCEL, note=(reason or "").strip())
    notices.cancelled(need, actor=actor, before=held)
    return need


@transaction.atomic
def need_mark_unresolvable(*, actor: User, need_id: int, reason: str) -> Need:
    need_require_role(actor, NeedAction.UNRESOLVABLE)
    need = _load(actor, need_id, None)
    need_require(actor, need, NeedAction.UNRESOLVABLE)
    held = notices.before(need)
    need = _apply(actor=actor, need=need, action=Action.UNRESOLVABLE, note=(reason or "").strip())
    notices.unresolvable(need, before=held)
    return need


@transaction.atomic
def need_review(*, actor: User, need_id: int, reopen: bool, note: str) -> Need:
    """Close the review of a low rating: either reopen the need or accept the outcome."""
    need_require_role(actor, NeedAction.REVIEW)
    need = _load(actor, need_id, None)
    note = (note or "").strip()
    # Review answers a low rating: a need never rated low has nothing to reopen by review.
    need_require(actor, need, NeedAction.REOPEN if reopen else NeedAction.REVIEW)
    if reopen:
        return _apply(
            actor=actor,
            need=need,
            action=Action.REOPEN,
            note=note,
            needs_review=False,
            **{f: None for f in ASSIGNEE_FIELDS},
            assignee_kind="",
            accepted_by=None,
            accepted_at=None,
        )
    if not note:
        raise InvalidInput("请填写复核意见", field="note")
    updated = Need.objects.filter(pk=need.pk, version=need.version).update(
        needs_review=False, version=F("version") + 1
    )
    if updated != 1:
        raise Conflict("该需求刚被他人处理，请刷新后再试", code=ErrorCode.STALE)
    NeedTransition.objects.create(
        need=need,
        action="review",
        from_status=need.status,
        to_status=need.status,
        actor=actor,
        note=note[:500],
    )
    audit.record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=need, summary=f"复核评价：{note}"[:300]
    )
    need.refresh_from_db()
    return need


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
    need = _load(actor, need_id, expected_version)
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


# --- 一键派单: the engine proposes for a whole community or street, the social worker confirms ---

MAX_BULK_NEEDS = 2000
MAX_CONFIRM_ITEMS = 500


@dataclass(frozen=True)
class ProposalRow:
    need: Need
    target_kind: str
    target_id: int
    target_name: str
    score: float
    distance_m: float | None
    explanation: str
    # (kind, id, name, explanation) of the next best candidates, for the reviewer to pick instead
    alternatives: tuple[tuple[str, int, str, str], ...] = ()


@dataclass(frozen=True)
class UnmatchedRow:
    need: Need
    reason: str
    explanation: str


@dataclass(frozen=True)
class DispatchPlan:
    unit: OrgUnit
    proposals: list[ProposalRow]
    unmatched: list[UnmatchedRow]
    total_score: float


def _dispatch_unit(actor: User, unit_id: Any) -> OrgUnit:
    unit = None
    if isinstance(unit_id, int) and not isinstance(unit_id, bool):
        unit = OrgUnit.objects.filter(pk=unit_id, level__lte=Level.COMMUNITY).first()
    if unit is None or not (
        sees_everything(actor) or (actor.unit is not None and unit.path.startswith(actor.unit.path))
    ):
        raise NotFound("未找到该社区或街道", field="unit_id")
    return unit


def needs_propose_dispatch(*, actor: User, unit_id: int) -> DispatchPlan:
    """一键派单 (proposal): the matching engine's optimal assignment of every pending need of a
    community or street in the actor's scope (the most urgent, oldest first when more than
    MAX_BULK_NEEDS wait). Writes nothing; needs_confirm_dispatch() does."""
    _require_dispatcher(actor)
    unit = _dispatch_unit(actor, unit_id)
    needs = list(
        needs_visible_to(actor)
        .filter(status=Status.PENDING, community__in=matching_adapter.units_in(unit))
        .select_related("category", "urgency", "community")
        .order_by("urgency__sort_order", "created_at", "id")[:MAX_BULK_NEEDS]
    )
    proposals: list[ProposalRow] = []
    unmatched: list[UnmatchedRow] = []
    total = 0.0
    for run in matching_adapter.propose(needs):
        total += run.result.total_score
        for p in run.result.proposals:
            proposals.append(
                ProposalRow(
                    need=run.needs[p.need_id],
                    target_kind=p.candidate.kind,
                    target_id=p.candidate.id,
                    target_name=p.candidate.name,
                    score=p.score,
                    distance_m=p.distance_m,
                    explanation=p.explanation,
                    alternatives=tuple(
                        (a.candidate.kind, a.candidate.id, a.candidate.name, a.explanation)
                        for a in run.alternatives[p.need_id]
                    ),
                )
            )
        for u in run.result.unmatched:
            unmatched.append(UnmatchedRow(run.needs[u.need_id], u.reason, u.explanation))
    proposals.sort(key=lambda r: r.need.pk)
    unmatched.sort(key=lambda r: r.need.pk)
    return DispatchPlan(unit=unit, proposals=proposals, unmatched=unmatched, total_score=total)


@dataclass(frozen=True)
class ConfirmItem:
    need_id: int
    target_kind: str
    target_id: int | None
    expected_version: int


@dataclass(frozen=True)
class ConfirmResult:
    dispatched: list[Need]
    failed: list[tuple[int, str]]  # (need id, Chinese message)


@transaction.atomic
def needs_confirm_dispatch(*, actor: User, proposals: list[ConfirmItem]) -> ConfirmResult:
    """一键派单 (confirm): dispatch each reviewed (possibly edited) proposal through
    need_dispatch(). Items are independent: each runs in its own savepoint, so a need changed
    meanwhile (stale version), out of scope or with an invalid target fails alone with its
    message while the others are dispatched."""
    _require_dispatcher(actor)
    if not proposals:
        raise InvalidInput("请至少确认一条派单建议", field="proposals")
    if len(proposals) > MAX_CONFIRM_ITEMS:
        raise InvalidInput(f"一次最多确认{MAX_CONFIRM_ITEMS}条派单", field="proposals")
    ids = [p.need_id for p in proposals]
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一需求不能重复派单", field="proposals")
    dispatched: list[Need] = []
    failed: list[tuple[int, str]] = []
    for item in proposals:
        try:
            with transaction.atomic():
                dispatched.append(
                    need_dispatch(
                        actor=actor,
                        need_id=item.need_id,
                        target_kind=item.target_kind,
                        target_id=item.target_id,
                        expected_version=item.expected_version,
                        note="一键派单",
                    )
                )
        except DomainError as exc:
            failed.append((item.need_id, exc.message))
    return ConfirmResult(dispatched=dispatched, failed=failed)
