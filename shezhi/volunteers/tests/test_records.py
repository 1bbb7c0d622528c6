from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, ItemRefused, NotFound
from shezhi.core.models import AuditEvent
from shezhi.volunteers.models import Holiday, RegionPolicy, ServiceRecord
from shezhi.volunteers.services import (
    RecordEntry,
    service_record_approve_late,
    service_record_reject_late,
    service_records_create_many,
)
from shezhi.volunteers.tests.factories import record

# Tuesday 17 November 2026, 10:00 in Shanghai.
NOW = timezone.make_aware(datetime(2026, 11, 17, 10, 0))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


# --- rounding per region ----------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "hours"), [(14, "0"), (15, "0.5"), (50, "1"), (100, "1.5")])
def test_default_rounding_applies_without_a_region_policy(world, minutes, hours):
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=minutes,
        now=NOW,
        service_date=date(2026, 11, 16),
    )
    assert r.hours == Decimal(hours)


def test_region_policy_of_an_ancestor_sets_the_rounding(world):
    RegionPolicy.objects.create(unit=world.a["street"], rounding_steps=[[30, "1"]])
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=90,
        now=NOW,
        service_date=date(2026, 11, 16),
    )
    assert r.hours == Decimal("2")


def test_nearest_region_policy_wins_and_other_regions_keep_the_default(world):
    RegionPolicy.objects.create(unit=world.a["district"], rounding_steps=[[30, "1"]])
    RegionPolicy.objects.create(unit=world.a["community"], rounding_steps=[[10, "0.5"]])
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=70,
        now=NOW,
        service_date=date(2026, 11, 16),
    )
    assert r.hours == Decimal("1.5")
    other = record(
        world.charlie,
        world.bob_volunteer,
        world.b["community"],
        minutes=70,
        now=NOW,
        service_date=date(2026, 11, 13),
    )
    assert other.hours == Decimal("1")


# --- the 10-working-day window ----------------------------------------------------------------


def test_record_within_ten_working_days_counts(world):
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 3),
        now=NOW,
    )
    assert r.status == ServiceRecord.Status.COUNTED
    assert r.due_date == date(2026, 11, 17)


def test_record_past_ten_working_days_is_pending_and_does_not_count(world):
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 2),
        now=NOW,
    )
    assert r.status == ServiceRecord.Status.PENDING
    assert world.bob_volunteer.total_hours() == 0


def test_a_regional_holiday_extends_the_window(world):
    Holiday.objects.create(day=date(2026, 11, 10), unit=world.a["street"], name="地方假日")
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 2),
        now=NOW,
    )
    assert r.status == ServiceRecord.Status.COUNTED


def test_a_holiday_of_another_region_does_not_extend_the_window(world):
    Holiday.objects.create(day=date(2026, 11, 10), unit=world.b["street"], name="地方假日")
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 2),
        now=NOW,
    )
    assert r.status == ServiceRecord.Status.PENDING


def test_a_makeup_working_saturday_shortens_the_window(world):
    Holiday.objects.create(day=date(2026, 11, 7), kind=Holiday.Kind.WORKDAY, name="调休")
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 3),
        now=NOW,
    )
    assert r.due_date == date(2026, 11, 16)
    assert r.status == ServiceRecord.Status.PENDING


def test_region_policy_sets_the_number_of_working_days(world):
    RegionPolicy.objects.create(unit=world.a["district"], due_working_days=5)
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 9),
        now=NOW,
    )
    assert r.status == ServiceRecord.Status.PENDING


# --- late approval ----------------------------------------------------------------------------


@pytest.fixture
def late(world):
    return record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 10, 12),
        now=NOW,
    )


def test_supervisor_approves_a_late_record_and_it_counts(world, late):
    service_record_approve_late(actor=world.sam, record_id=late.pk, note="活动签到表为证")
    late.refresh_from_db()
    assert late.status == ServiceRecord.Status.COUNTED
    assert late.approved_by == world.sam
    assert world.bob_volunteer.total_hours() == Decimal("1")
    assert list(late.versions.values_list("version", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(object_id=str(late.pk), action="transition").exists()


def test_supervisor_rejects_a_late_record_with_a_reason(world, late):
    with pytest.raises(InvalidInput):
        service_record_reject_late(actor=world.sam, record_id=late.pk, note="")
    service_record_reject_late(actor=world.sam, record_id=late.pk, note="无签到记录")
    late.refresh_from_db()
    assert late.status == ServiceRecord.Status.REJECTED
    assert world.bob_volunteer.total_hours() == 0


def test_social_worker_may_not_approve_late_records(world, late):
    with pytest.raises(Forbidden):
        service_record_approve_late(actor=world.alice, record_id=late.pk)


def test_outsider_cannot_see_a_late_record_to_approve(world, late):
    with pytest.raises(NotFound):
        service_record_approve_late(actor=world.charlie, record_id=late.pk)


def test_an_on_time_record_cannot_be_approved_again(world):
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 16),
        now=NOW,
    )
    with pytest.raises(Conflict):
        service_record_approve_late(actor=world.sam, record_id=r.pk)


# --- bad input --------------------------------------------------------------------------------


def test_future_service_date_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            service_date=date(2026, 11, 18),
            now=NOW,
        )
    assert exc.value.field == "service_date"


def test_a_period_that_has_not_ended_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            minutes=None,
            started_at=at(17, 9),
            ended_at=at(17, 11),
            now=NOW,
        )
    assert exc.value.field == "ended_at"


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60 + 1, 100000, "60", True])
def test_negative_zero_and_absurd_durations_are_refused(world, minutes):
    with pytest.raises(InvalidInput) as exc:
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            minutes=minutes,
            service_date=date(2026, 11, 16),
            now=NOW,
        )
    assert exc.value.field == "minutes"


def test_end_before_start_is_refused(world):
    with pytest.raises(InvalidInput):
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            minutes=None,
            started_at=at(16, 11),
            ended_at=at(16, 9),
            now=NOW,
        )


def test_minutes_longer_than_the_stated_period_are_refused(world):
    with pytest.raises(InvalidInput):
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            minutes=180,
            started_at=at(16, 9),
            ended_at=at(16, 11),
            now=NOW,
        )


def test_stated_period_gives_date_and_minutes(world):
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 9),
        ended_at=at(16, 10, 50),
        now=NOW,
    )
    assert (r.service_date, r.minutes, r.hours, r.period_estimated) == (
        date(2026, 11, 16),
        110,
        Decimal("2"),
        False,
    )


# --- overlap ----------------------------------------------------------------------------------


def test_overlapping_periods_for_one_volunteer_are_refused(world):
    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 9),
        ended_at=at(16, 11),
        now=NOW,
    )
    with pytest.raises(InvalidInput) as exc:
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            minutes=None,
            started_at=at(16, 10, 30),
            ended_at=at(16, 12),
            now=NOW,
        )
    assert "重叠" in exc.value.message
    assert ServiceRecord.objects.count() == 1


def test_a_period_running_past_midnight_meets_the_next_days_records(world):
    bob = world.bob_volunteer
    record(
        world.alice,
        bob,
        world.a["community"],
        started_at=at(16, 0, 10),
        ended_at=at(16, 0, 40),
        minutes=None,
        now=NOW,
    )
    with pytest.raises(InvalidInput) as caught:
        record(
            world.alice,
            bob,
            world.a["community"],
            started_at=at(15, 23, 30),
            ended_at=at(16, 0, 30),
            minutes=None,
            now=NOW,
        )
    assert caught.value.field == "started_at"


def test_back_to_back_periods_and_other_volunteers_are_fine(world):
    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 9),
        ended_at=at(16, 11),
        now=NOW,
    )
    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 11),
        ended_at=at(16, 12),
        now=NOW,
    )
    record(
        world.alice,
        world.erin_volunteer,
        world.a["community"],
        minutes=None,
        started_at=at(16, 9),
        ended_at=at(16, 11),
        now=NOW,
    )
    assert ServiceRecord.objects.count() == 3


def test_minutes_only_records_are_placed_back_to_back_before_now(world):
    first = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=60,
        service_date=date(2026, 11, 17),
        now=NOW,
    )
    second = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=30,
        service_date=date(2026, 11, 17),
        now=NOW,
    )
    assert (first.started_at, first.ended_at) == (at(17, 9), at(17, 10))
    assert (second.started_at, second.ended_at) == (at(17, 8, 30), at(17, 9))
    assert second.period_estimated


def test_more_than_a_day_of_service_on_one_day_is_refused(world):
    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        minutes=20 * 60,
        service_date=date(2026, 11, 16),
        now=NOW,
    )
    with pytest.raises(InvalidInput) as exc:
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            minutes=5 * 60,
            service_date=date(2026, 11, 16),
            now=NOW,
        )
    assert "24小时" in exc.value.message


# --- who records ------------------------------------------------------------------------------


def test_outsider_cannot_record_for_another_community(world):
    with pytest.raises(NotFound):
        record(
            world.charlie,
            world.bob_volunteer,
            world.a["community"],
            service_date=date(2026, 11, 16),
            now=NOW,
        )


def test_a_volunteer_cannot_record_their_own_hours(world):
    with pytest.raises(Forbidden):
        record(
            world.bob,
            world.bob_volunteer,
            world.a["community"],
            service_date=date(2026, 11, 16),
            now=NOW,
        )


def test_street_supervisor_records_for_a_community_below(world):
    r = record(
        world.sam,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 16),
        now=NOW,
    )
    assert r.recorded_by == world.sam
    assert r.versions.get().data["minutes"] == 60


def test_every_record_is_audited(world):
    r = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=date(2026, 11, 16),
        now=NOW,
    )
    assert AuditEvent.objects.filter(
        object_type="volunteers.servicerecord", object_id=str(r.pk), actor=world.alice
    ).exists()


def test_need_path_records_today_ending_now(world):
    r = record(
        world.bob,
        world.bob_volunteer,
        world.a["community"],
        source="need:1",
        # As the order workflow dates it: the day the 45 minutes began.
        service_date=timezone.localdate(timezone.now() - timedelta(minutes=45)),
        minutes=45,
        now=timezone.now(),
    )
    assert r.status == ServiceRecord.Status.COUNTED
    assert r.ended_at - r.started_at == timedelta(minutes=45)
    assert r.ended_at <= timezone.now()


# --- many records at once (imports) -----------------------------------------------------------


def entry(volunteer, **kw) -> RecordEntry:
    fields = dict(
        volunteer=volunteer,
        title="助老服务",
        service_date=None,
        place="社区服务站",
        content="陪同就医",
        minutes=None,
        person_in_charge="王社工",
    )
    fields.update(kw)
    return RecordEntry(**fields)


def record_many(world, entries, actor=None):
    return service_records_create_many(
        recorder=actor or world.alice,
        organiser_unit=world.a["community"],
        entries=entries,
        now=NOW,
    )


def test_many_records_see_each_other_and_the_records_before_them(world):
    bob = world.bob_volunteer
    record(
        world.alice, bob, world.a["community"], minutes=60, now=NOW, service_date=date(2026, 11, 16)
    )
    made = record_many(
        world,
        [
            entry(bob, started_at=at(16, 9), ended_at=at(16, 10)),
            entry(bob, service_date=date(2026, 11, 16), minutes=30),
            entry(world.erin_volunteer, started_at=at(16, 9), ended_at=at(16, 10)),
            entry(bob, service_date=date(2026, 10, 1), minutes=45),  # late: waits for approval
        ],
    )
    assert [r.status for r in made] == ["counted", "counted", "counted", "pending"]
    # Estimated periods are placed back to back before the day's other records.
    first, placed = ServiceRecord.objects.filter(volunteer=bob, period_estimated=True).order_by(
        "-ended_at"
    )[:2]
    assert placed.ended_at == first.started_at and placed.pk == made[1].pk
    assert all(r.versions.count() == 1 for r in made)
    events = AuditEvent.objects.filter(object_type="volunteers.servicerecord", actor=world.alice)
    assert {int(e.object_id) for e in events} >= {r.pk for r in made}
    assert "逾期" in events.get(object_id=str(made[3].pk)).summary


@pytest.mark.parametrize(
    "second, field",
    [
        ({"started_at": at(16, 9, 30), "ended_at": at(16, 11)}, "started_at"),  # overlaps the first
        ({"service_date": date(2026, 11, 16), "minutes": 1400}, "minutes"),  # over 24 h that day
        ({"service_date": date(2026, 11, 18), "minutes": 30}, "service_date"),  # in the future
    ],
)
def test_a_refused_entry_names_its_index_and_nothing_is_written(world, second, field):
    bob = world.bob_volunteer
    before = ServiceRecord.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ItemRefused) as caught:
        record_many(
            world, [entry(bob, started_at=at(16, 9), ended_at=at(16, 10)), entry(bob, **second)]
        )
    assert (caught.value.index, caught.value.field) == (1, field)
    assert (ServiceRecord.objects.count(), AuditEvent.objects.count()) == before


def test_only_staff_of_the_organising_unit_record_many(world):
    with pytest.raises(ItemRefused) as caught:
        record_many(
            world,
            [entry(world.bob_volunteer, service_date=date(2026, 11, 16), minutes=30)],
            actor=world.charlie,
        )
    assert caught.value.code == "not_found"
    assert not ServiceRecord.objects.exists()
