"""Scoped reads of the needs ledger. A need outside the actor's scope is 'not found'."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import sees_everything, unit_scope, user_community
from shezhi.core import audit
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.masking import mask_address, mask_mobile
from shezhi.core.models import AuditEvent
from shezhi.needs import matching_adapter
from shezhi.needs.models import DispatchBatch, Need, NeedCategory, UrgencyLevel
from shezhi.needs.workflow import OPEN, Status
from shezhi.notifications.models import Notification
from shezhi.notifications.selectors import notices_about
from shezhi.org.models import OrgUnit
from shezhi.volunteers.models import TeamMembership, Volunteer


def _helper_scope(user: User) -> Q:
    """Orders offered to this helper (directly, via a team or the community pool) or taken."""
    q = Q(accepted_by=user) | Q(assignee_user=user)
    if user.role in (Role.VOLUNTEER, Role.TEAM_LEADER):
        volunteer = Volunteer.objects.filter(user=user).first()
        if volunteer:
            team_ids = TeamMembership.objects.filter(volunteer=volunteer).values("team_id")
            q |= (
                Q(assignee_volunteer=volunteer)
                | Q(assignee_team_id__in=team_ids)
                | Q(assignee_kind=Need.AssigneeKind.POOL, community_id=volunteer.community_id)
            )
    if user.role == Role.PARTNER and user.partner_id:
        q |= Q(assignee_partner_id=user.partner_id)
    return q


def needs_visible_to(user: User) -> QuerySet[Need]:
    qs = Need.objects.select_related("category", "urgency", "community")
    if sees_everything(user):
        return qs
    if user.role == Role.RESIDENT:
        return qs.filter(Q(resident__user=user) | Q(created_by=user))
    if user.is_staff_role:
        # Orders a social worker takes lie in their own community (dispatch requires it), so
        # the unit scope covers them; a plain scope keeps the ledger on its indexes.
        return qs.filter(unit_scope(user, community_field="community_id", grid_field="grid_id"))
    return qs.filter(_helper_scope(user))


def need_get(*, actor: User, need_id: int) -> Need:
    try:
        return (
            needs_visible_to(actor)
            .select_related(
                "resident",
                "grid",
                "assignee_volunteer",
                "assignee_team",
                "assignee_user",
                "assignee_partner",
                "accepted_by",
                "created_by",
            )
            .get(pk=need_id)
        )
    except (Need.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该需求") from None


class LedgerSort(StrEnum):
    """How the ledger may be ordered; ATTENTION (what needs a person first) is the default."""

    ATTENTION = "attention"
    DEADLINE = "deadline"
    URGENCY = "urgency"
    NEWEST = "newest"


def ledger_sort_of(value: str | None) -> LedgerSort:
    """The sort named by a request parameter; empty means the default, anything else is refused."""
    if not value:
        return LedgerSort.ATTENTION
    try:
        return LedgerSort(value)
    except ValueError:
        allowed = "、".join(s.value for s in LedgerSort)
        raise InvalidInput(f"排序方式“{value[:20]}”无效，可选：{allowed}", field="sort") from None


@dataclass(frozen=True)
class LedgerFilter:
    status: str | None = None
    urgency: str | None = None
    category: str | None = None
    overdue: bool = False
    needs_review: bool = False
    query: str | None = None
    sort: LedgerSort = LedgerSort.ATTENTION


def _ledger_order(qs: QuerySet[Need], sort: LedgerSort) -> QuerySet[Need]:
    newest = ("-created_at", "-id")
    if sort == LedgerSort.NEWEST:
        return qs.order_by(*newest)
    if sort == LedgerSort.URGENCY:
        return qs.order_by("open_rank", "urgency__sort_order", "due_at", "id")
    if sort == LedgerSort.DEADLINE:
        return qs.order_by("open_rank", "resolve_by", "id")
    # ATTENTION: open before closed, then the next deadline (overdue ones, whose deadline has
    # passed, first), then the most urgent; indexed by need_attention / need_ledger_attention.
    return qs.order_by("open_rank", "due_at", "urgency__sort_order", "id")


def ledger(*, actor: User, filters: LedgerFilter, now: datetime | None = None) -> QuerySet[Need]:
    now = now or timezone.now()
    qs = needs_visible_to(actor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.urgency:
        qs = qs.filter(urgency__code=filters.urgency)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.overdue:
        qs = qs.overdue(now)
    if filters.needs_review:
        qs = qs.filter(needs_review=True)
    if filters.query:
        qs = qs.filter(Q(title__icontains=filters.query) | Q(description__icontains=filters.query))
    return _ledger_order(qs, filters.sort)


def ledger_counts(*, actor: User, now: datetime | None = None) -> dict[str, int]:
    """Counts for the home page: per status, overdue and waiting for review."""
    qs = needs_visible_to(actor)
    counts = {s.value: 0 for s in Status}
    for row in qs.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    counts["open"] = sum(counts[s.value] for s in OPEN)
    counts["overdue"] = qs.overdue(now or timezone.now()).count()
    counts["needs_review"] = qs.filter(needs_review=True).count()
    return counts


def categories(*, with_skills: bool = False) -> QuerySet[NeedCategory]:
    qs = NeedCategory.objects.filter(is_active=True)
    return qs.prefetch_related("skills") if with_skills else qs


def resident_catalogue() -> QuerySet[NeedCategory]:
    """The services residents order from big tiles (陪诊, 代购, 助餐 …), in tile order."""
    return categories().filter(for_residents=True)


def urgency_levels() -> QuerySet[UrgencyLevel]:
    return UrgencyLevel.objects.all()


def dispatch_candidates(
    *, actor: User, need: Need, limit: int = 20
) -> list[matching_adapter.EngineCandidate]:
    """Who can take this need, best first by the matching engine, each with its explanation
    (skill, distance, load, continuity); helpers the engine rules out follow with the reason."""
    if not actor.can_dispatch:
        raise Forbidden("只有社工或督导可以查看派单候选人")
    return matching_adapter.ranked(need, limit=limit)


def community_of(user: User) -> OrgUnit | None:
    return user_community(user)


@dataclass(frozen=True)
class HelperOrders:
    offered: list[Need]  # dispatched to me, my team or my community pool, not yet accepted
    taken: list[Need]  # accepted by me, newest first


def helper_orders(*, actor: User, limit: int = 100) -> HelperOrders:
    """The helper's mobile order list: what is offered to them and what they have taken."""
    qs = (
        needs_visible_to(actor)
        .filter(_helper_scope(actor))
        .select_related(
            "resident",
            "category",
            "urgency",
            "assignee_team",
            "assignee_volunteer",
            "assignee_user",
            "assignee_partner",
        )
    )
    offered = qs.filter(status=Status.DISPATCHED).order_by("resolve_by", "id")[:limit]
    taken = qs.filter(accepted_by=actor).order_by("-accepted_at", "-id")[:limit]
    return HelperOrders(offered=list(offered), taken=list(taken))


@dataclass(frozen=True)
class NeedContact:
    phone: str
    address: str
    revealed: bool


def need_contact_for_taker(*, actor: User, need: Need) -> NeedContact:
    """The contact phone and address as a helper may see them.

    In full only for the helper who accepted the order, while it is being served; that read is
    written to the audit log. Everybody else sees them masked. `need` must come from need_get().
    """
    if need.accepted_by_id == actor.pk and need.status in (Status.ACCEPTED, Status.IN_SERVICE):
        audit.record(
            actor=actor,
            action=AuditEvent.Action.READ_UNMASKED,
            obj=need,
            summary="接单人查看服务对象联系电话和地址",
        )
        return NeedContact(phone=need.contact_phone, address=need.address, revealed=True)
    return NeedContact(
        phone=mask_mobile(need.contact_phone), address=mask_address(need.address), revealed=False
    )


def need_notices(*, actor: User, need: Need) -> list[Notification]:
    """Who was told what about a need, for the staff whose scope holds it (`need` from
    need_get): so that a grid worker sees what a resident without a smartphone was sent.
    Helpers see only their own inbox."""
    if not (actor.is_staff_role or sees_everything(actor)):
        raise Forbidden("只有社区工作人员可以查看需求的通知记录")
    return notices_about(f"need:{need.pk}")


def dispatch_batch_of(*, actor: User, batch_id: int) -> DispatchBatch:
    """A 一键派单 batch, for the dispatcher who confirmed it only (NotFound for anyone else)."""
    batch = DispatchBatch.objects.filter(pk=batch_id, actor=actor).select_related("unit").first()
    if batch is None:
        raise NotFound("未找到该派单批次")
    return batch


def dispatch_batch_needs(*, actor: User, batch: DispatchBatch) -> QuerySet[Need]:
    """The needs a batch dispatched that the actor still sees, with their assignees."""
    return (
        needs_visible_to(actor)
        .filter(pk__in=batch.dispatched)
        .select_related(
            "urgency", "assignee_volunteer", "assignee_team", "assignee_user", "assignee_partner"
        )
        .order_by("pk")
    )


# --- texts announced for crisis triage (shezhi.core.signals), read again by id -----------------


def need_text(source_id: str) -> str | None:
    need = Need.objects.filter(pk=int(source_id)).values("title", "description").first()
    return f"{need['title']}\n{need['description']}" if need else None


def rating_text(source_id: str) -> str | None:
    return Need.objects.filter(pk=int(source_id)).values_list("rating_comment", flat=True).first()
