"""Door-knocking campaigns (敲门行动): launch over a community or grid, one stop per household
in walking order, doors recorded by the grid worker or volunteer team, live progress."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.care import route
from shezhi.care.cadence import RiskLevel
from shezhi.care.models import Campaign, CampaignStop, CareProfile
from shezhi.care.permissions import (
    CareAction,
    care_actions_for,
    on_my_list,
    stop_role_actions,
    stop_state_actions,
)
from shezhi.care.selectors import campaign_visible, units_in_reach
from shezhi.care.services.common import BATCH
from shezhi.care.services.scanning import scan_text
from shezhi.care.services.visits import visit_record
from shezhi.core import audit
from shezhi.core.errors import InvalidInput, NotFound
from shezhi.core.inputs import clean_text, validate_model
from shezhi.core.models import AuditEvent
from shezhi.core.permissions import require
from shezhi.org.models import Level, OrgUnit
from shezhi.people.models import Resident, VulnerabilityTag
from shezhi.volunteers.models import Team

# Door outcome → whether the resident was seen (a visit either way); a refusal is no visit.
DOOR_VISITS = {
    CampaignStop.Outcome.VISITED: True,
    CampaignStop.Outcome.CONCERN: True,
    CampaignStop.Outcome.NOT_HOME: False,
}


def _grid_workers(grid_ids: Iterable[int]) -> dict[int, int]:
    """grid id → the id of its (first) active grid worker."""
    workers: dict[int, int] = {}
    for unit_id, user_id in (
        User.objects.filter(role=Role.GRID_WORKER, unit_id__in=list(grid_ids), is_active=True)
        .order_by("-id")
        .values_list("unit_id", "id")
    ):
        workers[unit_id] = user_id
    return workers


def may_launch(user: User) -> bool:
    """Social workers, supervisors and system admins launch campaigns."""
    return CareAction.LAUNCH_CAMPAIGN in care_actions_for(user)


def campaign_teams(teams_by_grid: Mapping[int, int] | None, community: OrgUnit) -> dict[int, int]:
    """The volunteer team named for each grid; every team must belong to the community."""
    teams = dict(teams_by_grid or {})
    if teams:
        valid = set(
            Team.objects.filter(pk__in=teams.values(), community=community).values_list(
                "pk", flat=True
            )
        )
        if not set(teams.values()) <= valid:
            raise InvalidInput("志愿服务队应属于本社区", field="teams_by_grid")
    return teams


def campaign_profiles(
    unit: OrgUnit, tags: Sequence[str], risk_levels: Sequence[str]
) -> QuerySet[CareProfile]:
    """The active care profiles in the unit, narrowed to the targeted tags and risk levels."""
    profiles = (
        CareProfile.objects.filter(is_active=True, resident__compound__path__startswith=unit.path)
        if unit.level < Level.GRID
        else CareProfile.objects.filter(is_active=True, grid=unit)
    )
    if tags:
        profiles = profiles.filter(
            resident_id__in=Resident.objects.filter(tags__code__in=tags).values("pk")
        )
    if risk_levels:
        profiles = profiles.filter(risk_level__in=risk_levels)
    return profiles


def campaign_households(
    profiles: QuerySet[CareProfile],
) -> tuple[dict[int, tuple[int, int | None, int]], list[route.Stop]]:
    """One stop per household (a resident without one is their own): its first resident, the
    household and the grid by household key, and the stops to put in walking order."""
    rows = list(
        profiles.order_by("resident_id").values_list(
            "resident_id",
            "resident__household_id",
            "grid_id",
            "compound__latitude",
            "compound__longitude",
            "resident__address",
        )
    )
    first_by_key: dict[int, tuple[int, int | None, int]] = {}
    stops = []
    for resident_id, household_id, grid_id, lat, lon, address in rows:
        key = household_id if household_id is not None else -resident_id
        if key in first_by_key:
            continue  # every household once
        first_by_key[key] = (resident_id, household_id, grid_id)
        stops.append(route.Stop(key=key, latitude=lat, longitude=lon, address=address))
    return first_by_key, stops


def campaign_stops_create(
    campaign: Campaign,
    unit: OrgUnit,
    teams: dict[int, int],
    first_by_key: dict[int, tuple[int, int | None, int]],
    stops: list[route.Stop],
) -> None:
    """The stops in walking order, each for the grid's team or else its grid worker."""
    start = (unit.latitude, unit.longitude) if unit.latitude is not None else None
    workers = _grid_workers({g for _, _, g in first_by_key.values()})
    CampaignStop.objects.bulk_create(
        [
            CampaignStop(
                campaign=campaign,
                resident_id=first_by_key[key][0],
                household_id=first_by_key[key][1],
                grid_id=first_by_key[key][2],
                team_id=teams.get(first_by_key[key][2]),
                assignee_id=None
                if first_by_key[key][2] in teams
                else workers.get(first_by_key[key][2]),
                position=position,
            )
            for position, key in enumerate(
                route.order(stops, start=start if start and start[1] is not None else None), 1
            )
        ],
        batch_size=BATCH,
    )


@transaction.atomic
def campaign_launch(
    *,
    actor: User,
    unit_id: int,
    name: str,
    reason: str = "",
    teams_by_grid: Mapping[int, int] | None = None,
    tags: Sequence[str] = (),
    risk_levels: Sequence[str] = (),
) -> Campaign:
    """Launch a campaign over a community or grid: every household of a resident on the care
    registry there gets one stop, in walking order, assigned to the grid's grid worker or to the
    volunteer team named for that grid. `tags` (vulnerability tag codes, e.g. 独居老人 and 残障)
    and `risk_levels` narrow it to the residents who carry any of them."""
    require(
        CareAction.LAUNCH_CAMPAIGN,
        care_actions_for(actor),
        message="只有社工或督导可以发起敲门行动",
    )
    unit = units_in_reach(actor=actor).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("未找到该社区或网格", field="unit")
    name = clean_text(name, field="name", label="行动名称", max_length=60)
    community = unit.ancestor(Level.COMMUNITY)
    assert community is not None
    teams = campaign_teams(teams_by_grid, community)
    tags, risk_levels = _targeting(tags, risk_levels)
    campaign = Campaign(
        name=name,
        reason=(reason or "").strip(),
        unit=unit,
        community=community,
        created_by=actor,
        target_tags=tags,
        target_risk_levels=risk_levels,
    )
    validate_model(campaign)
    campaign.save()
    first_by_key, stops = campaign_households(campaign_profiles(unit, tags, risk_levels))
    campaign_stops_create(campaign, unit, teams, first_by_key, stops)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        summary=f"发起敲门行动：{name}（{len(first_by_key)}户）",
    )
    return campaign


def _targeting(tags: Sequence[str], risk_levels: Sequence[str]) -> tuple[list[str], list[str]]:
    tags = sorted({str(t) for t in tags or ()})
    known = set(VulnerabilityTag.objects.filter(code__in=tags).values_list("code", flat=True))
    if set(tags) - known:
        raise InvalidInput("未知的关爱标签", field="tags")
    risk_levels = sorted({str(r) for r in risk_levels or ()})
    if set(risk_levels) - {level.value for level in RiskLevel}:
        raise InvalidInput("风险等级无效", field="risk_levels")
    return tags, risk_levels


@transaction.atomic
def campaign_stop_record(
    *, actor: User, stop_id: int, outcome: str, note: str = "", now: datetime | None = None
) -> CampaignStop:
    """Record the outcome at one door; a concern needs a note, which is scanned for danger."""
    now = now or timezone.now()
    # Before any lookup: the care pages' role gate, the same 403 for the page and the API.
    require(CareAction.VISIT, care_actions_for(actor), message="您的角色无权进行此操作")
    stop = (
        CampaignStop.objects.select_for_update()
        .select_related("campaign", "resident")
        .filter(pk=stop_id)
        .first()
        if isinstance(stop_id, int)
        else None
    )
    if stop is None or not (on_my_list(actor, stop) or campaign_visible(actor, stop.campaign)):
        raise NotFound("未找到该住户")
    action = CareAction.RECORD_STOP
    require(action, stop_role_actions(actor, stop), message="这户不在您的走访名单上")
    require(action, stop_state_actions(stop), message="该敲门行动已结束", state_refusal=True)
    if outcome not in CampaignStop.Outcome.values or outcome == CampaignStop.Outcome.PENDING:
        raise InvalidInput("请选择走访结果", field="outcome")
    note = (note or "").strip()
    if outcome == CampaignStop.Outcome.CONCERN and not note:
        raise InvalidInput("发现问题时请填写说明", field="note")
    first_record = stop.outcome == CampaignStop.Outcome.PENDING
    stop.outcome, stop.note, stop.recorded_by, stop.recorded_at = outcome, note, actor, now
    validate_model(stop)
    stop.save(update_fields=["outcome", "note", "recorded_by", "recorded_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=stop,
        summary=f"敲门行动：{stop.get_outcome_display()} {note}"[:300],
    )
    contact = DOOR_VISITS.get(outcome)
    if first_record and contact is not None:
        # A door answered (or not) is a visit: coverage, last seen and the nobody-home-twice
        # alert move through the one visit service. The door's note stays on the stop and is
        # scanned below as the stop's.
        visit_record(
            actor=actor,
            resident=stop.resident,
            visited_on=timezone.localdate(now),
            contact_made=contact,
            note=f"敲门行动「{stop.campaign.name}」：{stop.get_outcome_display()}",
            now=now,
        )
    if note:
        scan_text(
            actor=actor,
            text=note,
            source_type="care.campaignstop",
            source_id=str(stop.pk),
            resident=stop.resident,
            now=now,
        )
    return stop
