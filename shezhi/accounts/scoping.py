"""What part of the org tree an account may see. Selectors build on these."""

from django.db.models import Q

from shezhi.accounts.models import Role, User
from shezhi.org.models import Level, OrgUnit


def sees_everything(user: User) -> bool:
    return user.is_superuser or user.role == Role.SYSTEM_ADMIN


def unit_scope(user: User, *, community_field: str, grid_field: str | None = None) -> Q:
    """A filter for records placed in the tree by a community (and optionally a grid) field.

    Staff see their unit and everything below it; a grid worker sees only their grid. An account
    with no unit sees nothing.
    """
    if sees_everything(user):
        return Q()
    unit = user.unit
    if unit is None:
        return Q(pk__in=[])
    if unit.level == Level.GRID and grid_field:
        return Q(**{grid_field: unit.pk})
    if unit.level >= Level.COMMUNITY:
        community = unit.ancestor(Level.COMMUNITY)
        return Q(**{community_field: community.pk if community else None})
    community_ids = OrgUnit.objects.within(unit).communities().values("pk")
    return Q(**{f"{community_field}__in": community_ids})


def user_community(user: User) -> OrgUnit | None:
    return user.unit.ancestor(Level.COMMUNITY) if user.unit else None
