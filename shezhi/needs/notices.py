"""Who is told what as a need moves through the four orders (texts in notifications/texts.py).

The service functions in services.py call one function here at the end of each transition,
inside their transaction: the outbox rows commit (or roll back) with the change, delivery starts
after commit, and each notice has a dedupe key naming the need and its version, so nobody is
told the same thing twice.

- the helper (a volunteer, every member of a team, a social worker or a partner's accounts, or
  the partner's contact by SMS) when an order is dispatched to them, withdrawn or cancelled;
- the resident when it is accepted, started, completed (asked for a rating), declined or cannot
  be done; by SMS when the resident has no account or asked for SMS (`Resident.sms_notices`);
- the social worker responsible when a need nears or passes a deadline (deadlines_check, run by
  `shezhi needs_jobs`), is rated low, or was declined with nobody left to offer it to.

No notice carries another person's personal data: a need is its category and compound."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from shezhi.accounts.models import Role, User
from shezhi.needs import deadlines
from shezhi.needs.models import DispatchBatch, Need, UrgencyLevel
from shezhi.needs.workflow import OPEN, Status
from shezhi.notifications.channels import MOBILE
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify_by_sms, notify_many
from shezhi.notifications.texts import render
from shezhi.volunteers.models import TeamMembership

Kind = Notification.Kind
Audience = Notification.Audience


def subject(need: Need) -> str:
    return f"need:{need.pk}"


def place(need: Need) -> str:
    """Where, at the granularity a helper needs before accepting: the compound, else the
    community; the building and room come with the accepted order."""
    if need.resident_id is not None:
        return need.resident.compound.name
    return need.community.name


def when(need: Need) -> str:
    if need.wanted_from is None or need.wanted_until is None:
        return gettext("时间待约定")
    start = timezone.localtime(need.wanted_from)
    end = timezone.localtime(need.wanted_until)
    day = f"{start.month}月{start.day}日 {start:%H:%M}"
    if start.date() == end.date():
        return f"{day}–{end:%H:%M}"
    return f"{day}–{end.month}月{end.day}日 {end:%H:%M}"


def _common(need: Need) -> dict[str, object]:
    return {"category": need.category.name, "place": place(need), "when": when(need)}


def _key(need: Need, event: str) -> str:
    return f"need:{need.pk}:v{need.version}:{event}"


def _tell(
    users: Iterable[User],
    need: Need,
    text: str,
    *,
    kind: str,
    audience: str,
    link: str = "",
    **extra: object,
) -> None:
    title, body = render(text, **extra, **_common(need))
    notify_many(
        recipients=[u for u in users if u.is_active],
        kind=kind,
        title=title,
        body=body,
        link=link,
        dedupe_key=_key(need, text),
        audience=audience,
        subject=subject(need),
    )


# --- helpers ---------------------------------------------------------------------------------


def helpers_offered(need: Need) -> list[User]:
    """The accounts an order is offered to: the volunteer, every member of the team (its
    leader among them), the social worker, or the partner's accounts. The community pool is
    not told one by one: its volunteers see it in their order list."""
    kind = need.assignee_kind
    if kind == Need.AssigneeKind.VOLUNTEER and need.assignee_volunteer:
        return [need.assignee_volunteer.user]
    if kind == Need.AssigneeKind.TEAM and need.assignee_team_id:
        members = TeamMembership.objects.filter(
            team_id=need.assignee_team_id, volunteer__is_active=True
        ).select_related("volunteer__user")
        return [m.volunteer.user for m in members]
    if kind == Need.AssigneeKind.SOCIAL_WORKER and need.assignee_user:
        return [need.assignee_user]
    if kind == Need.AssigneeKind.PARTNER and need.assignee_partner_id:
        return list(User.objects.filter(partner_id=need.assignee_partner_id, is_active=True))
    return []


def dispatched(need: Need) -> None:
    """派单 / 改派: tell whoever it is offered to, with the booked time and the compound."""
    link = reverse("m:order", args=[need.pk])
    users = helpers_offered(need)
    helper = {"kind": Kind.ORDER_DISPATCHED, "audience": Audience.HELPER, "link": link}
    if need.assignee_kind == Need.AssigneeKind.TEAM and need.assignee_team:
        _tell(users, need, "order_dispatched_team", team=need.assignee_team.name, **helper)
        return
    _tell(users, need, "order_dispatched", **helper)
    partner = need.assignee_partner
    if need.assignee_kind == Need.AssigneeKind.PARTNER and partner and not users:
        phone = (partner.contact_phone or "").strip()
        if MOBILE.match(phone):
            title, body = render("order_dispatched", **_common(need))
            notify_by_sms(
                mobile=phone,
                kind=Kind.ORDER_DISPATCHED,
                title=title,
                body=body,
                dedupe_key=_key(need, "order_dispatched"),
                audience=Audience.HELPER,
                subject=subject(need),
            )


def withdrawn(need: Need, *, before: "NeedBefore") -> None:
    """The order was taken back or given to someone else: the former helpers need not go."""
    now_offered = (
        {u.pk for u in helpers_offered(need)} if need.status == Status.DISPATCHED else set()
    )
    former = [u for u in before.helpers if u.pk not in now_offered]
    text = "order_cancelled" if need.status == Status.CANCELLED else "order_withdrawn"
    _tell(former, need, text, kind=Kind.ORDER_WITHDRAWN, audience=Audience.HELPER)


@dataclass(frozen=True)
class NeedBefore:
    """Who held the order before a transition (the accepted helper, or those it was offered)."""

    helpers: list[User]
    accepted: bool = False


def before(need: Need) -> NeedBefore:
    if need.accepted_by_id is not None:
        return NeedBefore([need.accepted_by], accepted=True)
    if need.status == Status.DISPATCHED:
        return NeedBefore(helpers_offered(need))
    return NeedBefore([])


# --- the resident ----------------------------------------------------------------------------


def _contact(need: Need) -> str:
    """A work contact for the resident: the partner's office phone, else the social worker
    responsible (with their work phone when registered), else the community."""
    partner = need.assignee_partner if need.assignee_kind == Need.AssigneeKind.PARTNER else None
    if partner and partner.contact_phone:
        return f"{partner.name}（{partner.contact_phone}）"
    worker = next(iter(responsible(need)), None)
    if worker is None:
        return gettext("社区社工")
    label = gettext("社区社工%(name)s") % {"name": worker}
    return f"{label}（{worker.phone}）" if worker.phone else label


def _helper(need: Need) -> str:
    """Who serves, as the resident will meet them: the team or partner, or the person."""
    if need.assignee_kind == Need.AssigneeKind.PARTNER and need.assignee_partner:
        return need.assignee_partner.name
    taker = need.accepted_by
    if taker is None:
        return gettext("服务者")
    if taker.role == Role.SOCIAL_WORKER:
        return gettext("社工%(name)s") % {"name": taker}
    if need.assignee_kind == Need.AssigneeKind.TEAM and need.assignee_team:
        return gettext("%(team)s志愿者%(name)s") % {"team": need.assignee_team.name, "name": taker}
    return gettext("志愿者%(name)s") % {"name": taker}


def tell_resident(need: Need, text: str, *, kind: str = Kind.NEED_PROGRESS, link: str = "") -> None:
    """The resident whose need it is: in their inbox (and by SMS when they asked for it), or
    by SMS alone when they have no account. Nobody else."""
    resident = need.resident
    if resident is None:
        return
    title, body = render(text, helper=_helper(need), contact=_contact(need), **_common(need))
    sms = True if resident.sms_notices else None
    key = _key(need, text)
    if resident.user_id is not None and resident.user.is_active:
        notify_many(
            recipients=[resident.user],
            kind=kind,
            title=title,
            body=body,
            link=link or reverse("m:need", args=[need.pk]),
            dedupe_key=key,
            sms=sms,
            mobile=resident.phone,
            audience=Audience.RESIDENT,
            subject=subject(need),
        )
    elif resident.sms_notices and resident.phone:
        notify_by_sms(
            mobile=resident.phone,
            kind=kind,
            title=title,
            body=body,
            dedupe_key=key,
            audience=Audience.RESIDENT,
            subject=subject(need),
        )


def accepted(need: Need) -> None:
    tell_resident(need, "need_accepted")


def started(need: Need) -> None:
    tell_resident(need, "need_started")


def completed(need: Need) -> None:
    tell_resident(need, "need_completed", kind=Kind.NEED_RATE)


def unresolvable(need: Need, *, before: NeedBefore) -> None:
    tell_resident(need, "need_unresolvable")
    withdrawn(need, before=before)


def cancelled(need: Need, *, actor: User, before: NeedBefore) -> None:
    """Cancelled: the helpers holding it need not go; the resident is told unless they
    cancelled it themselves."""
    if need.resident is not None and need.resident.user_id != actor.pk:
        tell_resident(need, "need_cancelled")
    withdrawn(need, before=before)


def returned(need: Need, *, before: NeedBefore) -> None:
    """The social worker took the order back: its helpers need not go, and a resident who was
    told it was accepted hears that it is being arranged again."""
    withdrawn(need, before=before)
    if before.accepted:
        tell_resident(need, "need_declined")


def declined(need: Need, *, before: NeedBefore) -> None:
    """A helper declined. Offered to the next best: they are told (dispatched) and the
    resident hears that it is being arranged again. Nobody left: the social worker is told."""
    if before.accepted:
        tell_resident(need, "need_declined")
    if need.status == Status.DISPATCHED:
        dispatched(need)
        return
    _tell(
        responsible(need),
        need,
        "no_one_left",
        kind=Kind.NEED_ATTENTION,
        audience=Audience.STAFF,
        link=reverse("desk:need", args=[need.pk]),
    )


def batch_failed(batch: DispatchBatch) -> None:
    """Rows of a 一键派单 that could not be dispatched are the confirming dispatcher's to handle
    (the queue may finish the batch after they left its page)."""
    if not batch.failed or not batch.actor.is_active:
        return
    title, body = render("dispatch_batch_failed", number=batch.pk)
    notify_many(
        recipients=[batch.actor],
        kind=Kind.NEED_ATTENTION,
        title=title,
        body=body,
        link=reverse("desk:dispatch_batch", args=[batch.pk]),
        dedupe_key=f"dispatch_batch_failed:{batch.pk}",
        audience=Audience.STAFF,
    )


# --- the social worker responsible ----------------------------------------------------------


def responsible(need: Need) -> list[User]:
    """The social worker who last dispatched the need; else the one who registered it; else
    the community's social workers."""
    from shezhi.needs.services.common import need_dispatcher  # services imports this module

    dispatcher = need_dispatcher(need)
    if dispatcher is not None and dispatcher.is_active and dispatcher.can_dispatch:
        return [dispatcher]
    creator = need.created_by
    if creator.is_active and creator.role == Role.SOCIAL_WORKER:
        return [creator]
    return list(
        User.objects.filter(role=Role.SOCIAL_WORKER, unit_id=need.community_id, is_active=True)
    )


def rated(need: Need) -> None:
    if not need.needs_review:
        return
    title, body = render("rated_low", score=need.rating, **_common(need))
    notify_many(
        recipients=responsible(need),
        kind=Kind.NEED_ATTENTION,
        title=title,
        body=body,
        link=reverse("desk:need", args=[need.pk]),
        dedupe_key=_key(need, "rated_low"),
        audience=Audience.STAFF,
        subject=subject(need),
    )


STAGE_LABELS = {deadlines.Stage.NEAR: "deadline_near", deadlines.Stage.PASSED: "deadline_passed"}


def deadlines_check(*, now: datetime | None = None) -> int:
    """Tell the social worker responsible about each open need near (the last quarter of the
    time allowed) or past its deadline: 响应 while pending, 办结 once dispatched. Each
    (need, deadline, stage) is told once, so the job may run as often as it likes; a need past
    its deadline for more than a day is not looked at again. Returns notices enqueued."""
    now = now or timezone.now()
    made = 0
    for urgency in UrgencyLevel.objects.all():
        for field, hours, statuses, stage_label in (
            ("respond_by", urgency.response_hours, [Status.PENDING], gettext("响应")),
            (
                "resolve_by",
                urgency.resolution_hours,
                sorted(OPEN - {Status.PENDING}),
                gettext("办结"),
            ),
        ):
            allowed = timedelta(hours=hours)
            due = (
                Need.objects.filter(urgency=urgency, status__in=list(statuses))
                .filter(
                    Q(**{f"{field}__lte": now + allowed * deadlines.NEAR_FRACTION})
                    & Q(**{f"{field}__gte": now - deadlines.LOOK_BACK})
                )
                .select_related("category", "community", "resident__compound", "created_by")
                .order_by("id")
            )
            rows = list(due)
            told = _already_told(rows)
            for need in rows:
                deadline = getattr(need, field)
                if (
                    _deadline_key(
                        need, deadlines.stage(now=now, due=deadline, allowed=allowed), deadline
                    )
                    in told
                ):
                    continue
                stage = deadlines.stage(now=now, due=deadline, allowed=allowed)
                if stage is deadlines.Stage.NONE:
                    continue
                made += _tell_deadline(need, stage, deadline, stage_label)
    return made


def _tell_deadline(
    need: Need, stage: "deadlines.Stage", deadline: datetime, stage_label: str
) -> int:
    text = STAGE_LABELS[stage]
    local = timezone.localtime(deadline)
    title, body = render(
        text,
        stage=stage_label,
        deadline=f"{local.month}月{local.day}日 {local:%H:%M}",
        **_common(need),
    )
    return len(
        notify_many(
            recipients=responsible(need),
            kind=Kind.NEED_DEADLINE,
            title=title,
            body=body,
            link=reverse("desk:need", args=[need.pk]),
            dedupe_key=_deadline_key(need, stage, deadline),
            audience=Audience.STAFF,
            subject=subject(need),
        )
    )


def _deadline_key(need: Need, stage: "deadlines.Stage", deadline: datetime) -> str:
    return f"need:{need.pk}:deadline_{stage.value}:{int(deadline.timestamp())}"


def _already_told(needs: list[Need]) -> set[str]:
    """Dedupe keys already used for these needs' deadlines: one query instead of one per need,
    so a frequent job stays cheap however many needs sit past their deadline."""
    told: set[str] = set()
    for start in range(0, len(needs), 500):
        chunk = needs[start : start + 500]
        told.update(
            Notification.objects.filter(
                subject__in=[subject(n) for n in chunk], kind=Kind.NEED_DEADLINE
            ).values_list("dedupe_key", flat=True)
        )
    return told
