"""The demo's organised activities: past ones confirmed into hours, rated and summed up; a weekly
class from a rule; upcoming ones with sign-ups, a waiting list and one awaiting approval."""

import pytest
from django.db import transaction
from django.test import override_settings

from shezhi.activities import after
from shezhi.activities.models import Activity, Rating, SignUp, Summary
from shezhi.demo import seeding
from shezhi.volunteers.models import ServiceRecord

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
# The module seeds once (fixture below): under xdist its tests stay on one worker, or each worker
# it visits would seed again.
pytestmark = pytest.mark.xdist_group("demo_seed_activities")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(**FAST_HASHER), transaction.atomic():
        seeding.seed(scale="small", seed=11)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_past_activities_have_hours_ratings_and_a_summary(seeded):
    past = Activity.objects.filter(status=Activity.Status.FINISHED)
    assert past.count() == 3
    for activity in past:
        figures = after.figures(activity)
        assert figures.volunteers >= 2 and figures.hours > 0
        assert figures.ratings >= 3 and figures.beneficiaries_registered == 1
        assert Summary.objects.filter(activity=activity).exists()
        assert ServiceRecord.objects.filter(source=f"activity:{activity.pk}").exists()
    assert Rating.objects.filter(role=Rating.Role.BENEFICIARY, comment__gt="").exists()


@pytest.mark.django_db
def test_a_weekly_class_comes_from_a_rule(seeded):
    weekly = Activity.objects.filter(title="四点半课堂", series__isnull=False)
    assert weekly.count() == 8
    assert {a.starts_at.weekday() for a in weekly} == {2}
    assert weekly.filter(status=Activity.Status.PUBLISHED).count() == 8


@pytest.mark.django_db
def test_upcoming_activities_have_sign_ups_a_waiting_list_and_pending_ones(seeded):
    upcoming = Activity.objects.filter(title__in=["重阳敬老文艺汇演", "反诈宣传进小区"])
    assert upcoming.count() == 2
    live = SignUp.objects.filter(activity__in=upcoming)
    assert live.filter(status=SignUp.Status.CONFIRMED).exists()
    assert live.filter(status=SignUp.Status.WAITLISTED).exists()
    assert live.filter(status=SignUp.Status.PENDING).exists()
