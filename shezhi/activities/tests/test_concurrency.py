"""Concurrent sign-ups for the last place and concurrent check-ins: the database decides.

Needs real concurrent transactions, so it runs on PostgreSQL (the test command's second pass)."""

from datetime import timedelta

import pytest

from shezhi.activities import attendance as checkins
from shezhi.activities import signups
from shezhi.activities.models import Attendance, SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, START, activity
from shezhi.core.errors import Conflict
from shezhi.core.tests.concurrency import race
from shezhi.volunteers.tests.factories import VolunteerFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("rounds", range(3))
def test_two_volunteers_taking_the_last_place_exactly_one_gets_it(world, rounds):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=2)])
    position = act.positions.get()
    first = VolunteerFactory(community=world.a["community"])
    signups.signup_create(actor=first.user, position_id=position.pk, now=NOW)
    results = race(
        [
            lambda: signups.signup_create(
                actor=world.bob, position_id=position.pk, join_waitlist=False, now=NOW
            ),
            lambda: signups.signup_create(
                actor=world.erin, position_id=position.pk, join_waitlist=False, now=NOW
            ),
        ]
    )
    winners = [r for r in results if isinstance(r, SignUp)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "full"
    assert position.signups.filter(status__in=SignUp.HOLDING).count() == 2


def test_many_volunteers_racing_never_overfill_and_the_rest_wait(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=3)])
    position = act.positions.get()
    users = [VolunteerFactory(community=world.a["community"]).user for _ in range(8)]
    results = race(
        [
            (lambda u=u: signups.signup_create(actor=u, position_id=position.pk, now=NOW))
            for u in users
        ]
    )
    assert all(isinstance(r, SignUp) for r in results), results
    statuses = sorted(r.status for r in results)
    assert statuses.count("confirmed") == 3 and statuses.count("waitlisted") == 5


def test_one_volunteer_checking_in_twice_at_once_is_recorded_once(world):
    act = activity(world.alice, world.a["community"])
    signups.signup_create(actor=world.bob, position_id=act.positions.get().pk, now=NOW)
    when = START - timedelta(minutes=5)
    tok = checkins.checkin_token_issue(actor=world.alice, activity_id=act.pk, now=when)
    results = race(
        [
            lambda: checkins.checkin_by_token(
                actor=world.bob, activity_id=act.pk, token=tok, now=when
            ),
            lambda: checkins.checkin_by_token(
                actor=world.bob, activity_id=act.pk, token=tok, now=when
            ),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Attendance", "Conflict"], results
    assert Attendance.objects.filter(activity=act).count() == 1


def test_cancellation_racing_a_new_sign_up_keeps_the_quota(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])
    position = act.positions.get()
    held = signups.signup_create(actor=world.bob, position_id=position.pk, now=NOW)
    waiting = signups.signup_create(actor=world.erin, position_id=position.pk, now=NOW)
    newcomer = VolunteerFactory(community=world.a["community"]).user
    race(
        [
            lambda: signups.signup_cancel(actor=world.bob, signup_id=held.pk, now=NOW),
            lambda: signups.signup_create(actor=newcomer, position_id=position.pk, now=NOW),
        ]
    )
    assert position.signups.filter(status__in=SignUp.HOLDING).count() == 1
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED  # first come, first served
