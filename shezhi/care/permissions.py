"""Who may do what on the care pages and in the care API, in one place.

`care_actions_for(actor)` answers for the care desk and phone pages (no object involved);
`alert_actions_for(actor, alert)`, `campaign_actions_for(actor, campaign)` and
`stop_actions_for(actor, stop)` answer for one object the actor can already see (the selectors
scope what is visible: anything else is "not found"). Services guard with `require(...)`, the
pages show links and buttons from the sets and the API returns them as `allowed_actions`."""

from enum import StrEnum

from shezhi.accounts.models import DISPATCH_ROLES, STAFF_ROLES, Role, User
from shezhi.care.models import Campaign, CampaignStop, CareAlert
from shezhi.volunteers.models import TeamMembership

# Who works with the care phone pages: those who can be a one-on-one contact person, and staff.
CARE_ROLES = STAFF_ROLES | {Role.VOLUNTEER, Role.TEAM_LEADER}
# Who keeps the registry: risk levels, contact persons, alerts, campaigns' progress.
MANAGE_ROLES = STAFF_ROLES
# Who sees the coverage overview (a grid worker has their own list instead).
COVERAGE_ROLES = STAFF_ROLES - {Role.GRID_WORKER}
# Who launches door-knocking campaigns.
LAUNCH_ROLES = DISPATCH_ROLES | {Role.SYSTEM_ADMIN}


class CareAction(StrEnum):
    # the care pages (no object)
    VISIT = "visit"  # today's list, care cards, visits, one's campaign doors
    MANAGE_REGISTRY = "manage_registry"  # registry, profiles, contact persons, the alerts desk
    VIEW_COVERAGE = "view_coverage"
    VIEW_CAMPAIGNS = "view_campaigns"
    LAUNCH_CAMPAIGN = "launch_campaign"
    # one alert
    ACKNOWLEDGE = "acknowledge"
    REPORT = "report"  # 强制报告
    CLOSE = "close"
    # one campaign
    VIEW_PROGRESS = "view_progress"
    WALK_DOORS = "walk_doors"
    # one door
    RECORD_STOP = "record_stop"


def _has(actor: User, roles: frozenset[str]) -> bool:
    return bool(actor.is_active and (actor.is_superuser or actor.role in roles))


def care_actions_for(actor: User) -> frozenset[CareAction]:
    """What the care pages offer this actor."""
    allowed: set[CareAction] = set()
    if _has(actor, CARE_ROLES):
        allowed.add(CareAction.VISIT)
    if _has(actor, MANAGE_ROLES):
        allowed |= {CareAction.MANAGE_REGISTRY, CareAction.VIEW_CAMPAIGNS}
    if _has(actor, COVERAGE_ROLES):
        allowed.add(CareAction.VIEW_COVERAGE)
    if _has(actor, LAUNCH_ROLES):
        allowed.add(CareAction.LAUNCH_CAMPAIGN)
    return frozenset(allowed)


# --- alerts -------------------------------------------------------------------------------


def alert_role_actions(actor: User, alert: CareAlert) -> frozenset[CareAction]:
    """What the actor's role (or being the alert's assignee) allows, whatever its state."""
    if _has(actor, MANAGE_ROLES):
        return frozenset({CareAction.ACKNOWLEDGE, CareAction.REPORT, CareAction.CLOSE})
    if alert.assigned_to_id == actor.pk:
        return frozenset({CareAction.ACKNOWLEDGE})
    return frozenset()


def alert_state_actions(alert: CareAlert) -> frozenset[CareAction]:
    """What the alert's state allows, whoever asks."""
    allowed: set[CareAction] = set()
    if alert.status in (CareAlert.Status.OPEN, CareAlert.Status.ESCALATED):
        allowed.add(CareAction.ACKNOWLEDGE)
    if alert.status != CareAlert.Status.CLOSED:
        allowed.add(CareAction.CLOSE)
        if alert.mandatory_report and alert.reported_at is None:
            allowed.add(CareAction.REPORT)
    return frozenset(allowed)


def report_missing(alert: CareAlert) -> bool:
    """A possible harm to a child is closed only after the report to the authorities is on file."""
    return bool(alert.mandatory_report and alert.reported_at is None)


def alert_actions_for(actor: User, alert: CareAlert) -> frozenset[CareAction]:
    """What this actor may do with this alert now."""
    allowed = alert_role_actions(actor, alert) & alert_state_actions(alert)
    if report_missing(alert):
        allowed -= {CareAction.CLOSE}
    return allowed


# --- campaigns and doors ----------------------------------------------------------------------


def campaign_actions_for(actor: User, campaign: Campaign) -> frozenset[CareAction]:
    """What this actor may do with a campaign they can see."""
    desk = care_actions_for(actor)
    allowed: set[CareAction] = set()
    if CareAction.VIEW_CAMPAIGNS in desk:
        allowed.add(CareAction.VIEW_PROGRESS)
    if CareAction.VISIT in desk:
        allowed.add(CareAction.WALK_DOORS)
    return frozenset(allowed)


def on_my_list(actor: User, stop: CampaignStop) -> bool:
    """The door is the actor's: assigned to them or their team, or (a grid worker) in their grid."""
    if stop.assignee_id == actor.pk:
        return True
    if actor.role == Role.GRID_WORKER:
        return actor.unit_id == stop.grid_id
    return (
        stop.team_id is not None
        and TeamMembership.objects.filter(team_id=stop.team_id, volunteer__user=actor).exists()
    )


def stop_role_actions(
    actor: User, stop: CampaignStop, *, mine: bool | None = None
) -> frozenset[CareAction]:
    """The door's walker, or a desk manager (not a grid worker of another grid). `mine`: the
    caller already knows the door is on the actor's list (saves a query per door)."""
    if CareAction.VISIT not in care_actions_for(actor):
        return frozenset()
    manager = _has(actor, MANAGE_ROLES) and actor.role != Role.GRID_WORKER
    if manager or (on_my_list(actor, stop) if mine is None else mine):
        return frozenset({CareAction.RECORD_STOP})
    return frozenset()


def stop_state_actions(stop: CampaignStop) -> frozenset[CareAction]:
    if stop.campaign.status == Campaign.Status.ACTIVE:
        return frozenset({CareAction.RECORD_STOP})
    return frozenset()


def stop_actions_for(
    actor: User, stop: CampaignStop, *, mine: bool | None = None
) -> frozenset[CareAction]:
    """What this actor may do at this door now."""
    return stop_role_actions(actor, stop, mine=mine) & stop_state_actions(stop)
