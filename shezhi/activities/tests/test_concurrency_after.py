"""Races of the organiser's edit against sign-ups, of two ratings by one person and of photo
uploads against the nine-photo limit: the database decides (PostgreSQL only)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shezhi.activities import after, services, signups
from shezhi.activities import attendance as checkins
from shezhi.activities.editing import PositionEdit, activity_update
from shezhi.activities.models import Rating, SignUp, SummaryPhoto
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, NOW, START, activity
from shezhi.core.errors import Conflict
from shezhi.core.tests.concurrency import race
from shezhi.volunteers.tests.factories import VolunteerFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LATER = END + timedelta(hours=2)


def _edit(world, act, quota, now=NOW):
    p = act.positions.get()
    return activity_update(
        actor=world.alice,
        activity_id=act.pk,
        title=act.title,
        description=act.description,
        venue=act.venue,
        starts_at=act.starts_at,
        ends_at=act.ends_at,
        positions=[PositionEdit(id=p.pk, name=p.name, quota=quota)],
        now=now,
    )


@pytest.mark.parametrize("rounds", range(3))
def test_lowering_the_quota_while_someone_takes_the_place_never_overfills(world, rounds):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=2)])
    position = act.positions.get()
    signups.signup_create(actor=world.bob, position_id=position.pk, now=NOW)
    results = race(
        [
            lambda: _edit(world, act, 1),
            lambda: signups.signup_create(actor=world.erin, position_id=position.pk, now=NOW),
        ]
    )
    # No deadlock, no other error: either the edit or the confirmed place lost cleanly.
    assert all(not isinstance(r, Exception) or isinstance(r, Conflict) for r in results), results
    position.refresh_from_db()
    held = position.signups.filter(status__in=SignUp.HOLDING).count()
    assert held <= position.quota


def test_raising_the_quota_while_others_sign_up_promotes_in_order(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])
    position = act.positions.get()
    signups.signup_create(actor=world.bob, position_id=position.pk, now=NOW)
    users = [VolunteerFactory(community=world.a["community"]).user for _ in range(3)]
    results = race(
        [lambda: _edit(world, act, 3)]
        + [
            (lambda u=u: signups.signup_create(actor=u, position_id=position.pk, now=NOW))
            for u in users
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    held = position.signups.filter(status__in=SignUp.HOLDING).count()
    waiting = position.signups.filter(status=SignUp.Status.WAITLISTED).count()
    assert (held, waiting) == (3, 1)


def _held(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=2)])
    s = signups.signup_create(actor=world.bob, position_id=act.positions.get().pk, now=NOW)
    checkins.checkin_manual(actor=world.alice, signup_id=s.pk, reason="补登", at=START, now=START)
    checkins.checkout_close_forgotten(actor=world.alice, activity_id=act.pk, now=END)
    services.beneficiary_add(
        actor=world.alice, activity_id=act.pk, resident_id=world.dora_resident.pk
    )
    return act


def test_one_person_rating_twice_at_once_is_recorded_once(world):
    act = _held(world)
    results = race(
        [
            lambda: after.rating_create(actor=world.bob, activity_id=act.pk, stars=5, now=LATER),
            lambda: after.rating_create(actor=world.bob, activity_id=act.pk, stars=1, now=LATER),
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Rating"], results
    assert Rating.objects.filter(activity=act, rater=world.bob).count() == 1


def test_photo_uploads_racing_for_the_last_place_keep_nine(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    act = _held(world)
    after.summary_save(actor=world.alice, activity_id=act.pk, text="x", now=LATER)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    data = buf.getvalue()

    def upload():
        return after.summary_photo_add(
            actor=world.alice,
            activity_id=act.pk,
            upload=SimpleUploadedFile("p.png", data),
            now=LATER,
        )

    for _ in range(8):
        upload()
    results = race([upload, upload])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "SummaryPhoto"], results
    assert SummaryPhoto.objects.filter(summary__activity=act).count() == 9
