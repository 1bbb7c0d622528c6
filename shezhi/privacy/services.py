"""Every write of residents' data rights: filing a request (the resident, or a worker on their
behalf) and answering it. Each is audited in the same transaction; the resident and the staff who
must act are told through the notifications outbox (sent after commit)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.core import audit
from shezhi.core.errors import Conflict, InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify, notify_by_sms, notify_many
from shezhi.notifications.texts import render
from shezhi.people.models import Resident
from shezhi.privacy.anonymise import anonymise_resident
from shezhi.privacy.errors import PrivacyError
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.permissions import (
    ANSWER_ROLES,
    DataAction,
    RequestAction,
    data_actions_for,
    request_actions_for,
)
from shezhi.privacy.selectors import cases_in_retention, deletion_plan, due_on

Kind, Status = RightsRequest.Kind, RightsRequest.Status
MAX_TEXT = 1000


def _deadline(request: RightsRequest) -> str:
    d = request.due_on
    return f"{d.year}年{d.month}月{d.day}日"


def _tell_resident(request: RightsRequest, key: str, **params: object) -> None:
    title, body = render(key, what=request.get_kind_display(), **params)
    resident = request.resident
    if resident.user_id and resident.user.is_active:
        notify(
            recipient=resident.user,
            kind=Notification.Kind.DATA_RIGHTS,
            title=title,
            body=body,
            link="/m/privacy/",
            audience=Notification.Audience.RESIDENT,
            sms=True if resident.sms_notices else None,
        )
    elif resident.sms_notices and resident.phone:
        notify_by_sms(
            mobile=resident.phone,
            kind=Notification.Kind.DATA_RIGHTS,
            title=title,
            body=body,
            audience=Notification.Audience.RESIDENT,
        )


def _tell_staff(request: RightsRequest) -> None:
    """The staff of the resident's community who answer requests."""
    staff = User.objects.filter(
        is_active=True, role__in=ANSWER_ROLES, unit=request.community
    ).order_by("id")
    title, body = render(
        "rights_new",
        what=request.get_kind_display(),
        deadline=_deadline(request),
        number=request.pk,
    )
    notify_many(
        recipients=staff,
        kind=Notification.Kind.DATA_RIGHTS,
        title=title,
        body=body,
        link=f"/desk/privacy/{request.pk}/",
        audience=Notification.Audience.STAFF,
    )


@transaction.atomic
def rights_request_create(
    *,
    actor: User,
    resident: Resident,
    kind: str,
    details: str = "",
    now: datetime | None = None,
) -> RightsRequest:
    """File a request for `resident` (from a scoped selector). A correction must say what is
    wrong; one open request per kind and resident (a second is refused, not doubled)."""
    require(DataAction.REQUEST, data_actions_for(actor, resident), message="无法为该居民提出请求")
    if kind not in Kind.values:
        raise InvalidInput("请选择请求类型：查阅复制、更正或删除", field="kind")
    details = clean_text(
        details or "", field="details", max_length=MAX_TEXT, label="请求内容", required=False
    )
    if kind == Kind.CORRECTION and not details:
        raise InvalidInput("请写明哪项信息有误、正确的内容是什么", field="details")
    now = now or timezone.now()
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    request = RightsRequest(
        resident=resident,
        community_id=resident.community_id,
        kind=kind,
        details=details,
        requested_by=actor,
        on_behalf=actor.role != Role.RESIDENT,
        due_on=due_on(resident.community, timezone.localdate(now)),
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise Conflict(
            f"已有一份待办理的{request.get_kind_display()}请求，请等待答复",
            code=PrivacyError.DUPLICATE,
        ) from None
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=request,
        summary=f"个人信息{request.get_kind_display()}请求（居民#{resident.pk}）",
    )
    _tell_resident(request, "rights_received", deadline=_deadline(request))
    _tell_staff(request)
    return request


@transaction.atomic
def rights_request_answer(
    *,
    actor: User,
    request: RightsRequest,
    accept: bool,
    answer: str,
    now: datetime | None = None,
) -> RightsRequest:
    """Answer an open request (from a scoped selector). Accepting a deletion anonymises the
    resident now — all of it, or all but what a case file within retention still needs (the
    request is then 已办结（部分保留）and the retention job finishes it). A refusal needs a
    reason; a correction's answer says what was corrected."""
    now = now or timezone.now()
    request = (
        RightsRequest.objects.select_for_update(of=("self",))
        .select_related("resident")
        .get(pk=request.pk)
    )
    require(
        RequestAction.ANSWER,
        request_actions_for(actor, request),
        message="该请求已办理" if request.status != Status.OPEN else "您无权办理该请求",
        state_refusal=request.status != Status.OPEN,
    )
    answer = clean_text(
        answer or "", field="answer", max_length=MAX_TEXT, label="答复", required=False
    )
    if not answer and (not accept or request.kind == Kind.CORRECTION):
        raise InvalidInput(
            "请写明不予办理的理由" if not accept else "请写明更正了哪些信息", field="answer"
        )
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=request.resident_id)
    )
    outcome: dict = {}
    status = Status.DONE if accept else Status.REFUSED
    if accept and request.kind == Kind.DELETION:
        if resident.anonymised_at is not None:
            raise Conflict("该居民的个人信息已删除", code=PrivacyError.ALREADY_DELETED)
        plan = deletion_plan(resident, timezone.localdate(now))
        keep = cases_in_retention(resident, timezone.localdate(now)).exists()
        # Tell the resident before the account goes (the notice is queued in this transaction).
        request.status = Status.PARTLY if keep else Status.DONE
        _tell_resident(request, "rights_answered", state=request.get_status_display())
        changed = anonymise_resident(resident, now=now, keep_identity=keep)
        outcome = {"changed": changed, "kept": [i for i in plan["items"] if i["kept_now"]]}
        if plan["note"]:
            outcome["note"] = plan["note"]
        status = request.status
        answer = answer or "已按您的要求删除个人信息。"
    request.status = status
    request.answer = answer
    request.answered_by = actor
    request.answered_at = now
    request.outcome = outcome
    request.save(
        update_fields=["status", "answer", "answered_by", "answered_at", "outcome", "updated_at"]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=request,
        summary=f"办理个人信息{request.get_kind_display()}请求：{request.get_status_display()}",
        changes={"status": ["open", status], "changed": outcome.get("changed", {})},
    )
    if not (accept and request.kind == Kind.DELETION):
        _tell_resident(request, "rights_answered", state=request.get_status_display())
    return request
