"""Activities made through the services, so that every rule applies."""

from datetime import datetime

from django.utils import timezone

from shezhi.activities import services, signups
from shezhi.activities.models import Activity
from shezhi.activities.services import PositionSpec

# Tuesday 17 November 2026, 10:00 in Shanghai: "now" of these tests.
NOW = timezone.make_aware(datetime(2026, 11, 17, 10, 0))
# The activity: Friday 20 November 2026, 09:00–11:00.
START = timezone.make_aware(datetime(2026, 11, 20, 9, 0))
END = timezone.make_aware(datetime(2026, 11, 20, 11, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


def activity(actor, unit, *, publish=True, positions=None, **overrides) -> Activity:
    fields = {
        "title": "为老义剪",
        "category": "elderly",
        "description": "为社区老人免费理发",
        "venue": "A社区党群服务中心",
        "starts_at": START,
        "ends_at": END,
        "person_in_charge": "王主任",
        "positions": [PositionSpec(name="理发师", quota=2)] if positions is None else positions,
        "organiser_unit_id": unit.pk,
    }
    fields.update(overrides)
    now = fields.pop("now", NOW)
    made = services.activity_create(actor=actor, spec=services.ActivitySpec(**fields), now=now)
    if publish:
        made = services.activity_publish(actor=actor, activity_id=made.pk, now=NOW)
    return made


def sign_up(user, act, *, position=None, **kwargs):
    position = position or act.positions.first()
    kwargs.setdefault("now", NOW)
    return signups.signup_create(actor=user, position_id=position.pk, **kwargs)
