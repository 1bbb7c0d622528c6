from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.volunteers.models import RegionPolicy, ServiceRecord, Volunteer
from shezhi.volunteers.stars import falsification_find, star_of, stars_recompute
from shezhi.volunteers.tests.factories import VolunteerFactory


def give_hours(volunteer, hours, *, recorder, status=ServiceRecord.Status.COUNTED, n=1):
    """Bulk rows (the rules are tested elsewhere): n records sharing `hours`."""
    each = Decimal(hours) / n
    return ServiceRecord.objects.bulk_create(
        ServiceRecord(
            volunteer=volunteer,
            title="服务",
            service_date=date(2026, 1, 1) + timedelta(days=i),
            place="p",
            content="c",
            minutes=int(each * 60),
            hours=each,
            organiser="o",
            organiser_unit=volunteer.community,
            person_in_charge="x",
            recorded_by=recorder,
            status=status,
        )
        for i in range(n)
    )


@pytest.mark.parametrize(
    ("hours", "star"),
    [(0, 0), (99, 0), (100, 1), (299, 1), (300, 2), (600, 3), (1000, 4), (1500, 5), (9000, 5)],
)
def test_default_thresholds(world, hours, star):
    give_hours(world.bob_volunteer, hours, recorder=world.alice)
    stars_recompute()
    world.bob_volunteer.refresh_from_db()
    assert (world.bob_volunteer.verified_hours, world.bob_volunteer.star) == (Decimal(hours), star)
    assert star_of(world.bob_volunteer, Decimal(hours)) == star


def test_only_counted_records_make_verified_hours(world):
    give_hours(world.bob_volunteer, 80, recorder=world.alice)
    give_hours(world.bob_volunteer, 50, recorder=world.alice, status=ServiceRecord.Status.PENDING)
    give_hours(world.bob_volunteer, 50, recorder=world.alice, status=ServiceRecord.Status.REJECTED)
    stars_recompute()
    world.bob_volunteer.refresh_from_db()
    assert (world.bob_volunteer.verified_hours, world.bob_volunteer.star) == (Decimal(80), 0)


def test_region_thresholds_apply_to_volunteers_of_that_region_only(world):
    RegionPolicy.objects.create(unit=world.a["district"], star_thresholds=[10, 20, 30, 40, 50])
    RegionPolicy.objects.create(unit=world.a["community"], star_thresholds=[5, 25, 35, 45, 55])
    other = VolunteerFactory(community=world.b["community"])
    for v in (world.bob_volunteer, other):
        give_hours(v, 30, recorder=world.alice)
    stars_recompute()
    world.bob_volunteer.refresh_from_db()
    other.refresh_from_db()
    assert world.bob_volunteer.star == 2  # the community's own thresholds win
    assert other.star == 0  # default thresholds in region B


def test_recompute_runs_a_fixed_number_of_queries_whatever_the_number_of_volunteers(world):
    for _ in range(20):
        give_hours(VolunteerFactory(community=world.a["community"]), 150, recorder=world.alice)
    RegionPolicy.objects.create(unit=world.a["street"], star_thresholds=[10, 20, 30, 40, 50])
    with CaptureQueriesContext(connection) as ctx:
        result = stars_recompute()
    assert result.volunteers == Volunteer.objects.count() == 22
    assert len(ctx.captured_queries) <= 8
    assert set(Volunteer.objects.filter(verified_hours=150).values_list("star", flat=True)) == {5}


def test_a_second_recompute_rewrites_nothing_unchanged(world):
    give_hours(world.bob_volunteer, 150, recorder=world.alice)
    first = stars_recompute()
    assert (first.hours_changed, first.stars_changed) == (1, 1)
    again = stars_recompute()
    assert (again.hours_changed, again.stars_changed) == (0, 0)
    give_hours(world.bob_volunteer, 200, recorder=world.alice)
    assert stars_recompute().stars_changed == 1


def test_falsification_removes_the_hours_and_bars_stars(world):
    good = give_hours(world.bob_volunteer, 300, recorder=world.alice)
    bad = give_hours(world.bob_volunteer, 300, recorder=world.alice, n=2)
    stars_recompute()
    world.bob_volunteer.refresh_from_db()
    assert world.bob_volunteer.star == 3
    today = date(2026, 11, 20)
    finding = falsification_find(
        actor=world.sam,
        volunteer_id=world.bob_volunteer.pk,
        record_ids=[r.pk for r in bad],
        reason="签到造假",
        today=today,
    )
    world.bob_volunteer.refresh_from_db()
    assert finding.barred_until == today + timedelta(days=365)
    assert world.bob_volunteer.verified_hours == 300
    assert world.bob_volunteer.star == 0
    assert all(
        r.status == "falsified" for r in ServiceRecord.objects.filter(pk__in=[b.pk for b in bad])
    )
    assert ServiceRecord.objects.get(pk=good[0].pk).status == "counted"
    # Still barred the day before the bar ends, starred again afterwards.
    stars_recompute(today=finding.barred_until)
    world.bob_volunteer.refresh_from_db()
    assert world.bob_volunteer.star == 0
    stars_recompute(today=finding.barred_until + timedelta(days=1))
    world.bob_volunteer.refresh_from_db()
    assert world.bob_volunteer.star == 2


def test_region_sets_the_bar_period(world):
    RegionPolicy.objects.create(unit=world.a["street"], falsification_bar_days=30)
    bad = give_hours(world.bob_volunteer, 5, recorder=world.alice)
    finding = falsification_find(
        actor=world.sam,
        volunteer_id=world.bob_volunteer.pk,
        record_ids=[bad[0].pk],
        reason="x",
        today=date(2026, 11, 1),
    )
    assert finding.barred_until == date(2026, 12, 1)


def test_only_supervisors_in_scope_find_falsification(world):
    bad = give_hours(world.bob_volunteer, 5, recorder=world.alice)
    with pytest.raises(Forbidden):
        falsification_find(
            actor=world.alice,
            volunteer_id=world.bob_volunteer.pk,
            record_ids=[bad[0].pk],
            reason="x",
        )
    with pytest.raises(NotFound):
        falsification_find(
            actor=world.charlie,
            volunteer_id=world.bob_volunteer.pk,
            record_ids=[bad[0].pk],
            reason="x",
        )


def test_records_of_another_volunteer_cannot_be_part_of_a_finding(world):
    theirs = give_hours(world.erin_volunteer, 5, recorder=world.alice)
    with pytest.raises(InvalidInput):
        falsification_find(
            actor=world.sam,
            volunteer_id=world.bob_volunteer.pk,
            record_ids=[theirs[0].pk],
            reason="x",
        )


def test_management_command_recomputes(world, capsys):
    give_hours(world.bob_volunteer, 120, recorder=world.alice)
    call_command("recompute_stars")
    world.bob_volunteer.refresh_from_db()
    assert world.bob_volunteer.star == 1
    assert "已重算" in capsys.readouterr().out
