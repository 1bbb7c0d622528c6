"""开始服务 (start, within the window around the booked time) and 办结 (complete, crediting
the volunteer's service record)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.core import audit, neutral, summary
from shezhi.core.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
)
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.rollups import rollups_touch_rows
from shezhi.needs import notices
from shezhi.needs.errors import NeedError
from shezhi.needs.models import Need
from shezhi.needs.permissions import NeedAction, need_require, need_require_role
from shezhi.needs.services.common import (
    apply_transition,
    load_need,
    need_dispatcher,
)
from shezhi.needs.workflow import Action
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from shezhi.volunteers import trust
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.services import service_record_create

MAX_MINUTES = 24 * 60


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
    need = load_need(actor, need_id, None)
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
    need = apply_transition(actor=actor, need=need, action=Action.START, started_at=now)
    notices.started(need)
    return need


@transaction.atomic
def need_waive_start_window(*, actor: User, need_id: int, reason: str) -> Need:
    """A social worker lets the helper start this order outside the window around the booked
    time (the resident moved the appointment, an emergency …); the reason is audited."""
    need_require_role(actor, NeedAction.WAIVE_START)
    need = load_need(actor, need_id, None)
    if need.wanted_from is None:
        raise Conflict("该订单没有预约时间，开始服务不受时间限制", code=NeedError.NO_BOOKED_TIME)
    need_require(actor, need, NeedAction.WAIVE_START)
    reason = clean_text(reason, field="reason", label="准许的原因", max_length=300)
    now = timezone.now()
    rollups_touch_rows("needs.Need", [need])
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
    need = load_need(actor, need_id, None)
    need_require(actor, need, NeedAction.COMPLETE)
    description = service_description_check(need, service_description)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"服务时长应为1到{MAX_MINUTES}之间的整数分钟", field="minutes")
    note = clean_text(note, field="note", label="服务情况说明", max_length=2000)
    now = timezone.now()
    started_at = need.started_at
    need = apply_transition(
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
        # An estimated period ends now, so it began `minutes` ago: just after midnight, yesterday.
        service_date=None if stated else timezone.localdate(now - timedelta(minutes=minutes)),
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
