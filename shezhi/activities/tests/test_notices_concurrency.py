"""Concurrent runs of the reminder job: the unique dedupe key decides, so each reminder is
enqueued once. PostgreSQL only."""

from datetime import timedelta

import pytest

from shezhi.activities import notices
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import START, activity, sign_up
from shezhi.core.tests.concurrency import race
from shezhi.notifications.models import Notification
from shezhi.volunteers.tests.factories import VolunteerFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("rounds", range(2))
def test_concurrent_reminder_runs_enqueue_each_reminder_once(world, settings, rounds):
    settings.SHEZHI_TASKS_INLINE = False
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24]
    act = activity(world.alice, world.a["community"], positions=[PositionSpec("理发师", 5)])
    volunteers = [VolunteerFactory(community=world.a["community"]) for _ in range(5)]
    for v in volunteers:
        sign_up(v.user, act)
    at = START - timedelta(hours=3)
    results = race([lambda: notices.reminders_send(now=at) for _ in range(3)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 5
    assert Notification.objects.filter(kind=Notification.Kind.ACTIVITY_REMINDER).count() == 5
