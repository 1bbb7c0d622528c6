"""Who may read figures, for which units, and who may see the list behind a figure.

The figures' scope follows the records' scope (`accounts.scoping.unit_scope`): staff see their
unit and everything below it; staff placed below a community see their community, a grid worker
their grid; a system administrator sees the whole tree.
"""

from shezhi.accounts.models import STAFF_ROLES, Role, User
from shezhi.accounts.scoping import sees_everything
from shezhi.care.permissions import COVERAGE_ROLES, MANAGE_ROLES
from shezhi.core.errors import Forbidden, NotFound
from shezhi.org.models import Level, OrgUnit

REFUSAL = "只有工作人员可以查看统计数据"

# The desk lists behind the figures and the roles whose pages show them. Case lists are the
# case teams' own: only a supervisor sees a unit's cases, so case figures are suppressed for
# everyone else.
LIST_ROLES: dict[str, frozenset[str]] = {
    "desk:volunteers": STAFF_ROLES,
    "desk:records": STAFF_ROLES,
    "desk:teams": STAFF_ROLES,
    "desk:needs": STAFF_ROLES,
    "activities:desk_list": STAFF_ROLES,
    "care:registry": MANAGE_ROLES,
    "care:alerts": MANAGE_ROLES,
    "care:coverage": COVERAGE_ROLES,
    "cases:list": frozenset({Role.SUPERVISOR}),
    "timebank:desk": STAFF_ROLES,
}


def may_read_figures(actor: User) -> bool:
    """Staff roles read figures; volunteers, residents and partners do not."""
    return bool(
        actor.is_authenticated
        and actor.is_active
        and (actor.is_superuser or actor.role in STAFF_ROLES)
    )


def may_see_list(actor: User, list_url: str | None) -> bool:
    if not list_url or not may_read_figures(actor):
        return False
    return actor.is_superuser or actor.role in LIST_ROLES.get(list_url, frozenset())


def figures_home_unit(actor: User) -> OrgUnit:
    """The unit whose figures the actor sees first: the top of what they may see."""
    if not may_read_figures(actor):
        raise Forbidden(REFUSAL)
    unit = actor.unit
    if unit is None:
        if sees_everything(actor):
            top = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
            if top is not None:
                return top
        raise NotFound("您的账号未设置所属单元，无法查看统计数据")
    if unit.level == Level.GRID and actor.role == Role.GRID_WORKER:
        return unit
    if unit.level > Level.COMMUNITY:
        return unit.ancestor(Level.COMMUNITY) or unit
    return unit


def figures_unit(actor: User, unit_id: int) -> OrgUnit:
    """The unit `unit_id` if the actor may read its figures; NotFound otherwise."""
    missing = NotFound("未找到该单元", field="unit")
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        raise missing from None
    if not may_read_figures(actor):
        raise Forbidden(REFUSAL)
    unit = OrgUnit.objects.filter(pk=unit_id).select_related("parent").first()
    if unit is None:
        raise missing
    if sees_everything(actor):
        return unit
    home = figures_home_unit(actor)
    if not unit.path.startswith(home.path):
        raise missing
    return unit
