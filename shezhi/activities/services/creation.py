"""Creating draft activities with their positions: one-off, or on every date of a recurrence
rule (a series)."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities.models import (
    Activity,
    ActivitySeries,
    Position,
)
from shezhi.activities.recurrence import RecurrenceError, Rule, expand
from shezhi.activities.services.checks import ActivitySpec, CheckedActivity, check_activity
from shezhi.activities.services.common import (
    max_occurrences,
)
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import save_validated
from shezhi.core.models import AuditEvent


def build_activity(
    actor: User, checked: CheckedActivity, series: ActivitySeries | None = None, **overrides: Any
) -> Activity:
    activity = Activity(**{**checked.fields, **overrides}, series=series, created_by=actor)
    save_validated(activity)
    for fields, tags in checked.positions:
        position = Position(activity=activity, **fields)
        save_validated(position)
        position.skills.set(tags)
    return activity


@transaction.atomic
def activity_create(*, actor: User, spec: ActivitySpec, now: datetime | None = None) -> Activity:
    """A draft activity with its positions. Staff of a street or community organise for their
    unit; a team leader organises for the team (the unit is then the team's community)."""
    checked = check_activity(actor=actor, spec=spec, now=now or timezone.now())
    activity = build_activity(actor, checked)
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        summary=f"创建活动 {activity.title}",
        changes={"positions": len(checked.positions)},
    )
    return activity


def occurrence_dates(rule: Rule, first: date) -> list[date]:
    try:
        return expand(first, rule, maximum=max_occurrences())
    except RecurrenceError as exc:
        raise InvalidInput(exc.message, field=exc.field) from None


@transaction.atomic
def activity_create_recurring(
    *, actor: User, rule: Rule, spec: ActivitySpec, now: datetime | None = None
) -> list[Activity]:
    """Draft activities on every date of `rule`, the first at `starts_at`/`ends_at` and the
    others at the same local times. Refused when the rule gives more than the configured
    maximum (SHEZHI_ACTIVITY_MAX_OCCURRENCES, default 200)."""
    checked = check_activity(actor=actor, spec=spec, now=now or timezone.now())
    first_start = timezone.localtime(checked.fields["starts_at"])
    duration = checked.fields["ends_at"] - checked.fields["starts_at"]
    dates = occurrence_dates(rule, first_start.date())
    series = ActivitySeries(
        freq=rule.freq,
        interval=rule.interval,
        weekdays=sorted(set(rule.weekdays)),
        count=rule.count,
        until=rule.until,
        created_by=actor,
    )
    save_validated(series)
    activities = []
    for day in dates:
        start = timezone.make_aware(datetime.combine(day, first_start.time().replace(tzinfo=None)))
        activities.append(
            build_activity(actor, checked, series=series, starts_at=start, ends_at=start + duration)
        )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=series,
        summary=f"按重复规则创建活动 {checked.fields['title']} 共{len(activities)}次",
        changes={"freq": rule.freq, "count": len(activities)},
    )
    return activities
