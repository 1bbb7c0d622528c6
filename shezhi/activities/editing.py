"""The organiser edits an activity that has not started: title, description, time, venue and its
positions (change, add, delete). The activity's rules are checked again by the same function
that checks a new activity; positions that hold sign-ups keep their conditions, never fall
below the places taken and are not deleted."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import notices
from shezhi.activities import permissions as perms
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import Activity, Position, SignUp
from shezhi.activities.services import (
    SU,
    ActivitySpec,
    PositionSpec,
    Status,
    activity_for_organiser,
    check_activity,
)
from shezhi.activities.signups import places_held, promote_waitlisted
from shezhi.core import audit
from shezhi.core.errors import Conflict, NotFound
from shezhi.core.inputs import save_validated
from shezhi.core.models import AuditEvent

EDITABLE = ("title", "description", "venue", "starts_at", "ends_at")
CONDITIONS = ("min_age", "max_age", "hazardous")


@dataclass(frozen=True)
class PositionEdit:
    """One row of the positions form: `id` None adds a position. Skills and certificates of an
    existing position are kept (they are set when the activity is created)."""

    name: str
    quota: int
    id: int | None = None
    duties: str = ""
    min_age: int | None = None
    max_age: int | None = None
    hazardous: bool = False
    delete: bool = False


def _spec(edit: PositionEdit, existing: Position | None) -> PositionSpec:
    return PositionSpec(
        name=edit.name,
        quota=edit.quota,
        duties=edit.duties,
        skills=[t.code for t in existing.skills.all()] if existing else (),
        certificates=list(existing.certificates) if existing else (),
        min_age=edit.min_age,
        max_age=edit.max_age,
        hazardous=edit.hazardous,
    )


def _live(position: Position) -> int:
    return SignUp.objects.filter(position=position).exclude(status=SU.CANCELLED).count()


@transaction.atomic
def activity_update(
    *,
    actor: User,
    activity_id: int,
    title: str,
    description: str,
    venue: str,
    starts_at: datetime,
    ends_at: datetime,
    positions: Sequence[PositionEdit],
    now: datetime | None = None,
) -> Activity:
    """Edit a draft or published activity before it starts (organisers only)."""
    now = now or timezone.now()
    activity_for_organiser(actor, activity_id)  # out of scope: not found, before any lock
    # The lock order of every place change in this app: the positions, then the activity.
    locked = {
        p.pk: p
        for p in Position.objects.select_for_update(of=("self",))
        .filter(activity_id=activity_id)
        .order_by("id")
    }
    activity = activity_for_organiser(actor, activity_id, lock=True)
    perms.require_activity_action(actor, activity, perms.ActivityAction.EDIT, now=now)
    for edit in positions:
        if edit.id is not None and edit.id not in locked:
            raise NotFound("未找到该岗位", field="positions")
    kept = [e for e in positions if not e.delete]
    spec = ActivitySpec(
        organiser_unit_id=activity.organiser_unit_id,
        team_id=activity.team_id,
        station_id=activity.station_id,
        title=title,
        category=activity.category,
        description=description,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        person_in_charge=activity.person_in_charge,
        positions=[_spec(e, locked.get(e.id) if e.id else None) for e in kept],
        latitude=activity.latitude,
        longitude=activity.longitude,
        checkin_radius_m=activity.checkin_radius_m,
        risk_statement=activity.risk_statement,
        scope=activity.scope,
        scope_unit_id=activity.scope_unit_id,
        scope_team_id=activity.scope_team_id,
        requires_approval=activity.requires_approval,
        cancel_cutoff_hours=activity.cancel_cutoff_hours,
        beneficiaries_headcount=activity.beneficiaries_headcount,
    )
    checked = check_activity(actor=actor, spec=spec, now=now)
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        before, after = getattr(activity, name), checked.fields[name]
        if before != after:
            changes[name] = [str(before), str(after)]
            setattr(activity, name, after)
    activity.save(update_fields=[*EDITABLE, "updated_at"])
    changes["positions"] = _apply_positions(actor, activity, locked, positions, checked, now)
    event = audit.record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=activity,
        summary=f"修改活动 {activity.title}",
        changes=changes,
    )
    what = [
        label
        for label, names in (("活动时间", ("starts_at", "ends_at")), ("活动地点", ("venue",)))
        if any(n in changes for n in names)
    ]
    if what and activity.status == Status.PUBLISHED:  # the signed-up volunteers are told
        notices.activity_changed(activity, what=what, change_id=event.pk)
    return activity


def _apply_positions(
    actor: User,
    activity: Activity,
    locked: dict[int, Position],
    edits: Sequence[PositionEdit],
    checked: Any,
    now: datetime,
) -> list[str]:
    """Delete, change and add positions; a larger quota promotes from the waiting list."""
    notes: list[str] = []
    for edit in edits:
        if edit.delete and edit.id is not None:
            position = locked[edit.id]
            if _live(position):
                raise Conflict(f"岗位“{position.name}”已有人报名，不能删除", field="positions")
            position.delete()
            notes.append(f"删除岗位 {position.name}")
    to_promote = []
    kept = [e for e in edits if not e.delete]
    for edit, (fields, tags) in zip(kept, checked.positions, strict=True):
        if edit.id is None:
            position = Position(activity=activity, **fields)
            save_validated(position)
            position.skills.set(tags)
            notes.append(f"新增岗位 {position.name}")
            continue
        position = locked[edit.id]
        position.activity = activity
        held = places_held(position)
        if fields["quota"] < held:
            raise Conflict(
                f"岗位“{position.name}”已有{held}人占用名额，招募人数不能少于{held}",
                field="positions",
                code=ActivityError.BELOW_HELD,
            )
        if _live(position) and any(getattr(position, c) != fields[c] for c in CONDITIONS):
            raise Conflict(
                f"岗位“{position.name}”已有人报名，不能修改年龄要求或危险性标记",
                field="positions",
            )
        grew = fields["quota"] > position.quota
        for name, value in fields.items():
            setattr(position, name, value)
        save_validated(position)
        if grew:
            to_promote.append(position)
        notes.append(f"岗位 {position.name}")
    for position in to_promote:
        promote_waitlisted(position, actor=actor, now=now)
    return notes
