"""Scoped reads of residents. Anything outside the actor's scope is 'not found'."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import unit_scope
from shezhi.core import audit
from shezhi.core.errors import Forbidden, NotFound
from shezhi.core.models import AuditEvent
from shezhi.org.models import Level, OrgUnit, ServiceCentre, Station
from shezhi.people.ages import elder_mode_default
from shezhi.people.models import Resident


def residents_visible_to(user: User) -> QuerySet[Resident]:
    qs = Resident.objects.select_related("compound", "grid", "community")
    if user.role == Role.RESIDENT:
        return qs.filter(user=user)
    if not user.is_staff_role and not user.is_superuser:
        return qs.none()
    return qs.filter(unit_scope(user, community_field="community_id", grid_field="grid_id"))


def residents_search(*, actor: User, query: str = "") -> QuerySet[Resident]:
    """Residents in scope whose name or address contains `query`, or whose full ID number or
    phone equals it (a desk worker types what the caller says)."""
    qs = residents_visible_to(actor)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(address__icontains=query)
            | Q(id_number=query.upper())
            | Q(phone=query)
        )
    return qs.order_by("id")


def resident_get(*, actor: User, resident_id: int) -> Resident:
    try:
        return residents_visible_to(actor).get(pk=resident_id)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该居民") from None


def resident_reveal(*, actor: User, resident_id: int) -> Resident:
    """The full ID number and phone, for roles whose work needs them; every reveal is audited."""
    resident = resident_get(actor=actor, resident_id=resident_id)
    if not actor.can_unmask:
        raise Forbidden("您的角色无权查看完整身份证号和手机号")
    audit.record(
        actor=actor,
        action=AuditEvent.Action.READ_UNMASKED,
        obj=resident,
        summary="查看居民完整身份证号和手机号",
    )
    return resident


def elder_mode_for(user: User) -> bool:
    """长辈模式: the user's own choice, else on for residents of 70 and over (age on today's
    date in Asia/Shanghai)."""
    if not user.is_authenticated:
        return False
    if user.elder_mode is not None:
        return user.elder_mode
    if user.role != Role.RESIDENT:
        return False
    birth = Resident.objects.filter(user=user).values_list("birth_date", flat=True).first()
    return elder_mode_default(birth, timezone.localdate())


def _community_of(user: User) -> OrgUnit | None:
    if user.role == Role.RESIDENT:
        resident = Resident.objects.filter(user=user).select_related("community").first()
        if resident is not None:
            return resident.community
    unit = user.unit
    if unit is None or unit.level < Level.COMMUNITY:
        return None
    return unit.ancestor(Level.COMMUNITY)


def community_phone_for(user: User) -> str:
    """The phone a resident calls when the page is too hard: the community's social-work room
    (社区社工室), else its party-mass service centre; "" when neither has one."""
    community = _community_of(user)
    if community is None:
        return ""
    phone = (
        Station.objects.filter(unit=community, tier=Station.Tier.COMMUNITY)
        .exclude(phone="")
        .values_list("phone", flat=True)
        .first()
    )
    if phone:
        return phone
    centre = (
        ServiceCentre.objects.filter(unit=community)
        .exclude(phone="")
        .values_list("phone", flat=True)
        .first()
    )
    return centre or ""


def resident_sms_notices(user: User) -> bool:
    """Whether the resident behind this account is registered to be told by SMS (no
    smartphone): their needs' notices then go by SMS whatever the account's own choice."""
    return Resident.objects.filter(user=user, sms_notices=True).exists()


PICK_LIMIT = 10


@dataclass(frozen=True)
class PickedResident:
    """One line of the name-search picker: enough to choose, no more (masked name)."""

    id: int
    name: str  # masked
    compound: str
    grid: str

    @property
    def label(self) -> str:
        return f"{self.name} · {self.compound}" if self.compound else self.name


def _picked(r: Resident) -> PickedResident:
    return PickedResident(
        id=r.pk,
        name=r.masked_name,
        compound=r.compound.name if r.compound_id else "",
        grid=r.grid.name if r.grid_id else "",
    )


def residents_pick(*, actor: User, query: str, limit: int = PICK_LIMIT) -> list[PickedResident]:
    """Residents in the actor's scope whose name contains `query` (forms pick by name, not by
    an internal number). Masked names and the compound, so a picker leaks no more than a list."""
    query = (query or "").strip()[:30]
    if not query or not (actor.is_staff_role or actor.is_superuser):
        return []
    qs = residents_visible_to(actor).filter(name__icontains=query).order_by("name", "id")
    return [_picked(r) for r in qs[: max(1, min(limit, 50))]]


def resident_picked(*, actor: User, resident_id: int | None) -> PickedResident | None:
    """The picker's label of an already chosen resident (when a form is shown again)."""
    if not resident_id:
        return None
    try:
        return _picked(resident_get(actor=actor, resident_id=resident_id))
    except NotFound:
        return None
