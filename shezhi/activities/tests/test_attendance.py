from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import signing

from shezhi.activities import attendance as checkins
from shezhi.activities import services
from shezhi.activities.models import Activity, Attendance
from shezhi.activities.selectors import attendances_of
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, NOW, START, activity, at, sign_up
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.volunteers.models import Holiday, RegionPolicy, ServiceRecord
from shezhi.volunteers.tests.factories import VolunteerFactory

IN = START - timedelta(minutes=10)  # 08:50 on the day


@pytest.fixture
def act(world):
    return activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=5)])


def token(world, act, when=IN):
    return checkins.checkin_token_issue(actor=world.alice, activity_id=act.pk, now=when)


def check_in(world, user, act, when=IN, **kwargs):
    return checkins.checkin_by_token(
        actor=user, activity_id=act.pk, token=token(world, act, when), now=when, **kwargs
    )


# --- tokens -----------------------------------------------------------------------------------


def test_volunteer_checks_in_with_a_fresh_token(world, act):
    sign_up(world.bob, act)
    a = check_in(world, world.bob, act)
    assert a.checked_in_at == IN and a.checkin_method == Attendance.Method.QR
    assert a.volunteer == world.bob_volunteer


def test_token_older_than_a_minute_is_refused(world, act):
    sign_up(world.bob, act)
    old = token(world, act, IN - timedelta(seconds=61))
    with pytest.raises(InvalidInput) as exc:
        checkins.checkin_by_token(actor=world.bob, activity_id=act.pk, token=old, now=IN)
    assert exc.value.code == "token_expired" and "过期" in exc.value.message
    fresh = token(world, act, IN - timedelta(seconds=59))
    assert checkins.checkin_by_token(actor=world.bob, activity_id=act.pk, token=fresh, now=IN)


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "a1:abc:def",
        signing.TimestampSigner(salt="another.salt").sign("a1"),
        signing.TimestampSigner(salt=checkins.CHECKIN_SALT, key="not-the-key").sign("a1"),
    ],
    # Fixed ids: a signed token holds the time, and xdist's workers must collect the same names.
    ids=["empty", "garbage", "other-salt", "other-key"],
)
def test_forged_token_is_refused(world, act, forged):
    sign_up(world.bob, act)
    with pytest.raises(InvalidInput) as exc:
        checkins.checkin_by_token(actor=world.bob, activity_id=act.pk, token=forged, now=IN)
    assert exc.value.code == "bad_token"


def test_token_of_another_activity_is_refused(world, act):
    other = activity(world.alice, world.a["community"], title="另一个活动")
    sign_up(world.bob, act)
    with pytest.raises(InvalidInput) as exc:
        checkins.checkin_by_token(
            actor=world.bob, activity_id=act.pk, token=token(world, other), now=IN
        )
    assert "不是本活动" in exc.value.message


def test_only_organisers_issue_tokens(world, act):
    with pytest.raises(Forbidden):
        checkins.checkin_token_issue(actor=world.bob, activity_id=act.pk, now=IN)
    with pytest.raises(NotFound):
        checkins.checkin_token_issue(actor=world.charlie, activity_id=act.pk, now=IN)


# --- check-in rules ---------------------------------------------------------------------------


def test_check_in_without_a_sign_up_is_refused(world, act):
    with pytest.raises(Conflict) as exc:
        check_in(world, world.bob, act)
    assert exc.value.code == "not_signed_up"
    outsider = VolunteerFactory(community=world.b["community"])
    with pytest.raises(Conflict):
        check_in(world, outsider.user, act)


def test_waitlisted_volunteer_cannot_check_in(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])
    sign_up(world.erin, act)
    sign_up(world.bob, act)
    with pytest.raises(Conflict) as exc:
        check_in(world, world.bob, act)
    assert exc.value.code == "not_confirmed"


def test_no_double_check_in(world, act):
    sign_up(world.bob, act)
    check_in(world, world.bob, act)
    with pytest.raises(Conflict) as exc:
        check_in(world, world.bob, act, when=IN + timedelta(minutes=1))
    assert exc.value.code == "already_checked_in"
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize("when", [START - timedelta(minutes=61), END + timedelta(seconds=30)])
def test_check_in_outside_the_window_is_refused(world, act, when):
    sign_up(world.bob, act)
    # After the end no code is issued: the volunteer scans the last one shown before it.
    issued = min(when, END - timedelta(seconds=10))
    with pytest.raises(Conflict) as exc:
        checkins.checkin_by_token(
            actor=world.bob, activity_id=act.pk, token=token(world, act, issued), now=when
        )
    assert exc.value.code == "outside_window"


def geofenced(world):
    return activity(
        world.alice,
        world.a["community"],
        latitude=30.55,
        longitude=114.30,
        checkin_radius_m=200,
    )


def test_geofence_accepts_a_phone_inside_the_radius(world):
    act = geofenced(world)
    sign_up(world.bob, act)
    a = check_in(world, world.bob, act, latitude=30.5509, longitude=114.30)
    assert a.checkin_latitude == 30.5509


def test_geofence_refuses_a_phone_outside_the_radius_or_without_position(world):
    act = geofenced(world)
    sign_up(world.bob, act)
    with pytest.raises(InvalidInput) as exc:
        check_in(world, world.bob, act, latitude=30.56, longitude=114.30)
    assert exc.value.code == "outside_geofence" and "1112米" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        check_in(world, world.bob, act)
    assert exc.value.code == "no_position"
    with pytest.raises(InvalidInput):
        check_in(world, world.bob, act, latitude=300.0, longitude=114.30)


def test_organiser_checks_in_by_hand_with_a_reason(world, act):
    s = sign_up(world.bob, act)
    with pytest.raises(InvalidInput):
        checkins.checkin_manual(actor=world.alice, signup_id=s.pk, reason=" ", now=IN)
    with pytest.raises(NotFound):
        checkins.checkin_manual(actor=world.charlie, signup_id=s.pk, reason="手机没电", now=IN)
    with pytest.raises(NotFound):
        checkins.checkin_manual(actor=world.bob, signup_id=s.pk, reason="手机没电", now=IN)
    a = checkins.checkin_manual(actor=world.alice, signup_id=s.pk, reason="手机没电", now=IN)
    assert a.checkin_method == Attendance.Method.MANUAL and a.checkin_reason == "手机没电"
    assert a.checked_in_by == world.alice
    with pytest.raises(Conflict):
        checkins.checkin_manual(actor=world.alice, signup_id=s.pk, reason="再签", now=IN)


# --- check-out --------------------------------------------------------------------------------


def test_check_out_before_check_in_is_refused(world, act):
    sign_up(world.bob, act)
    with pytest.raises(Conflict) as exc:
        checkins.checkout(actor=world.bob, activity_id=act.pk, now=START)
    assert exc.value.code == "not_checked_in" and "尚未签到" in exc.value.message


def test_outsider_checking_out_gets_404(world, act):
    with pytest.raises(NotFound):
        checkins.checkout(
            actor=VolunteerFactory(community=world.b["community"]).user,
            activity_id=act.pk,
            now=START,
        )


def test_check_out_counts_the_scheduled_time_with_the_regions_rounding(world, act):
    sign_up(world.bob, act)
    check_in(world, world.bob, act)  # 08:50, counted from 09:00
    a = checkins.checkout(actor=world.bob, activity_id=act.pk, now=at(20, 10, 40))
    assert a.minutes == 100 and a.hours == Decimal("1.5")
    with pytest.raises(Conflict) as exc:
        checkins.checkout(actor=world.bob, activity_id=act.pk, now=at(20, 10, 50))
    assert exc.value.code == "already_checked_out"


def test_region_rounding_policy_applies_at_check_out(world, act):
    RegionPolicy.objects.create(unit=world.a["street"], rounding_steps=[[30, "1"]])
    sign_up(world.bob, act)
    check_in(world, world.bob, act)
    a = checkins.checkout(actor=world.bob, activity_id=act.pk, now=at(20, 10, 35))
    assert a.hours == Decimal("2")


def test_check_out_long_after_the_end_is_left_to_the_organiser(world, act):
    sign_up(world.bob, act)
    check_in(world, world.bob, act)
    with pytest.raises(Conflict):
        checkins.checkout(actor=world.bob, activity_id=act.pk, now=END + timedelta(hours=3))


def test_organiser_closes_forgotten_check_outs_after_the_end(world, act):
    sign_up(world.bob, act)
    sign_up(world.erin, act)
    check_in(world, world.bob, act)
    check_in(world, world.erin, act)
    checkins.checkout(actor=world.erin, activity_id=act.pk, now=at(20, 10, 0))
    with pytest.raises(Conflict):
        checkins.checkout_close_forgotten(actor=world.alice, activity_id=act.pk, now=at(20, 10))
    with pytest.raises(NotFound):
        checkins.checkout_close_forgotten(actor=world.charlie, activity_id=act.pk, now=END)
    closed = checkins.checkout_close_forgotten(
        actor=world.alice, activity_id=act.pk, now=at(20, 18)
    )
    assert [a.volunteer for a in closed] == [world.bob_volunteer]
    bob = Attendance.objects.get(volunteer=world.bob_volunteer)
    assert bob.checked_out_at == END and bob.checkout_method == Attendance.Method.CLOSED
    assert bob.closed_by == world.alice and bob.hours == Decimal("2")


# --- confirmation into service records --------------------------------------------------------


def attended(world, act, *users):
    for user in users:
        sign_up(user, act)
        check_in(world, user, act)
        checkins.checkout(actor=user, activity_id=act.pk, now=at(20, 10, 40))


def test_confirmation_writes_one_service_record_per_attendance(world, act):
    attended(world, act, world.bob, world.erin)
    result = checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 12))
    assert len(result.written) == 2 and result.skipped == []
    record = ServiceRecord.objects.get(volunteer=world.bob_volunteer)
    assert (record.title, record.place, record.hours, record.minutes) == (
        "为老义剪",
        "A社区党群服务中心",
        Decimal("1.5"),
        100,
    )
    assert record.status == ServiceRecord.Status.COUNTED and record.source == f"activity:{act.pk}"
    assert record.organiser_unit == world.a["community"] and record.person_in_charge == "王主任"
    act.refresh_from_db()
    assert act.status == Activity.Status.FINISHED and act.attendance_confirmed_by == world.alice
    assert world.bob_volunteer.total_hours() == Decimal("1.5")
    listed = attendances_of(actor=world.alice, activity_id=act.pk)
    assert all(a.service_record_id for a in listed)


def test_confirming_again_never_writes_a_record_twice(world, act):
    attended(world, act, world.bob)
    checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 12))
    again = checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 13))
    assert again.written == [] and ServiceRecord.objects.count() == 1


def test_confirmation_waits_for_the_end_and_for_every_check_out(world, act):
    sign_up(world.bob, act)
    check_in(world, world.bob, act)
    with pytest.raises(Conflict):
        checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 10))
    with pytest.raises(Conflict) as exc:
        checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 12))
    assert "1人未签退" in exc.value.message


def test_confirmation_after_ten_working_days_leaves_records_pending_approval(world, act):
    attended(world, act, world.bob)
    Holiday.objects.create(day=date(2026, 11, 23), name="假日")
    # 10 working days after Fri 20 Nov, with Mon 23 a holiday: due Mon 7 Dec.
    on_time = checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 12))
    assert on_time.written[0].status == ServiceRecord.Status.COUNTED
    late_act = activity(world.alice, world.a["community"], title="迟到的确认")
    attended(world, late_act, world.erin)
    late = checkins.attendance_confirm(
        actor=world.alice, activity_id=late_act.pk, now=at(20, 12) + timedelta(days=18)
    )
    assert late.written[0].status == ServiceRecord.Status.PENDING
    assert late.written[0].due_date == date(2026, 12, 7)


def test_team_leader_cannot_confirm_records_and_outsider_gets_404(world):
    act = services.activity_create(
        actor=world.erin,
        now=NOW,
        spec=services.ActivitySpec(
            team_id=world.team.pk,
            title="小区清洁",
            category="environment",
            description="清理楼道",
            venue="A小区",
            starts_at=START,
            ends_at=END,
            person_in_charge="艾琳",
            positions=[PositionSpec(name="清洁", quota=5)],
        ),
    )
    services.activity_publish(actor=world.erin, activity_id=act.pk, now=NOW)
    with pytest.raises(Forbidden):
        checkins.attendance_confirm(actor=world.erin, activity_id=act.pk, now=at(20, 12))
    with pytest.raises(NotFound):
        checkins.attendance_confirm(actor=world.charlie, activity_id=act.pk, now=at(20, 12))
    assert checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 12))


def test_overlapping_record_is_written_held_for_the_social_worker(world, act):
    from shezhi.volunteers.tests.factories import record

    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=None,
        minutes=None,
        started_at=at(20, 9, 30),
        ended_at=at(20, 10, 30),
        now=at(20, 12),
    )
    attended(world, act, world.bob, world.erin)
    result = checkins.attendance_confirm(actor=world.alice, activity_id=act.pk, now=at(20, 12))
    by_volunteer = {r.volunteer: r for r in result.written}
    assert set(by_volunteer) == {world.erin_volunteer, world.bob_volunteer} and not result.skipped
    assert by_volunteer[world.erin_volunteer].status == ServiceRecord.Status.COUNTED
    held = by_volunteer[world.bob_volunteer]
    assert held.status == ServiceRecord.Status.HELD
    assert [r["code"] for r in held.hold_reasons] == ["overlap"]
    assert "重叠" in held.hold_reasons[0]["text"]
