"""Reminders before an activity and notices of changes, cancellation and promotion from the
waiting list, through the notification outbox: each reaches each volunteer once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shezhi.activities import editing, notices, services, signups
from shezhi.activities.models import SignUp
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, NOW, START, activity, sign_up
from shezhi.core.errors import Conflict
from shezhi.notifications.models import Delivery, Notification
from shezhi.notifications.services import deliver_pending
from shezhi.volunteers.tests.factories import VolunteerFactory

K = Notification.Kind


def move(actor, act, *, now=NOW, **fields):
    """Edit the activity through the organiser's edit service, changing only `fields`."""
    act.refresh_from_db()
    values = {f: getattr(act, f) for f in ("title", "description", "venue", "starts_at", "ends_at")}
    values.update(fields)
    positions = [
        editing.PositionEdit(id=p.pk, name=p.name, quota=p.quota) for p in act.positions.all()
    ]
    return editing.activity_update(
        actor=actor, activity_id=act.pk, positions=positions, now=now, **values
    )


def inbox(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def full(world):
    """Quota 1: Bob confirmed, Erin on the waiting list, Fay joined the list and withdrew."""
    act = activity(world.alice, world.a["community"], positions=[PositionSpec("理发师", 1)])
    bob = sign_up(world.bob, act)
    erin = sign_up(world.erin, act)
    fay = VolunteerFactory(community=world.a["community"])
    fay_signup = sign_up(fay.user, act)
    signups.signup_cancel(actor=fay.user, signup_id=fay_signup.pk, now=NOW)
    assert (bob.status, erin.status) == (SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED)
    return act, fay, fay_signup


# --- reminders --------------------------------------------------------------------------------


def test_reminder_job_run_twice_sends_one_reminder(world, full, settings):
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24, 2]
    act, _, _ = full
    at = START - timedelta(hours=23)
    assert notices.reminders_send(now=at) == 1
    assert notices.reminders_send(now=at) == 0
    assert notices.reminders_send(now=at + timedelta(minutes=10)) == 0
    [reminder] = inbox(world.bob, K.ACTIVITY_REMINDER)
    assert reminder.title == "活动提醒：为老义剪" and "11月20日 09:00–11:00" in reminder.body
    assert reminder.link == f"/m/activities/{act.pk}/checkin/"
    # Only confirmed sign-ups are reminded: Erin waits for a place.
    assert inbox(world.erin, K.ACTIVITY_REMINDER) == []


def test_each_lead_time_reminds_once_and_only_when_due(world, full, settings):
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24, 2]
    assert notices.reminders_send(now=START - timedelta(hours=25)) == 0  # not yet
    assert notices.reminders_send(now=START - timedelta(hours=20)) == 1  # the 24 h one
    assert notices.reminders_send(now=START - timedelta(hours=3)) == 0
    assert notices.reminders_send(now=START - timedelta(hours=1, minutes=50)) == 1  # the 2 h one
    assert notices.reminders_send(now=START - timedelta(minutes=5)) == 0
    assert notices.reminders_send(now=START + timedelta(minutes=1)) == 0  # started
    keys = sorted(n.dedupe_key for n in inbox(world.bob, K.ACTIVITY_REMINDER))
    assert [k.split(":")[3] for k in keys] == ["24h", "2h"]


def test_lead_times_come_from_the_setting(world, full, settings):
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [48]
    assert notices.reminders_send(now=START - timedelta(hours=47)) == 1
    assert notices.reminders_send(now=START - timedelta(hours=1)) == 0


def test_cancelled_or_draft_activities_are_not_reminded(world, settings):
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24]
    act = activity(world.alice, world.a["community"])
    sign_up(world.bob, act)
    activity(world.alice, world.a["community"], publish=False)
    services.activity_cancel(actor=world.alice, activity_id=act.pk, reason="天气原因", now=NOW)
    assert notices.reminders_send(now=START - timedelta(hours=1)) == 0


def test_a_rescheduled_activity_is_reminded_again(world, full, settings):
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24]
    act, _, _ = full
    assert notices.reminders_send(now=START - timedelta(hours=2)) == 1
    move(
        world.alice,
        act,
        starts_at=START + timedelta(hours=5),
        ends_at=END + timedelta(hours=5),
        now=START - timedelta(hours=2),
    )
    assert notices.reminders_send(now=START - timedelta(hours=1)) == 1
    assert len(inbox(world.bob, K.ACTIVITY_REMINDER)) == 2


def test_reminder_command_enqueues_and_delivers_once(world, settings):
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24, 2]
    settings.SHEZHI_TASKS_INLINE = False
    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        starts_at=now + timedelta(hours=3),
        ends_at=now + timedelta(hours=5),
        now=now,
    )
    sign_up(world.bob, act, now=now)
    out = StringIO()
    call_command("activity_reminders", stdout=out)
    call_command("activity_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "reminders 1, sent 2, failed 0",  # the reminder and the sign-up confirmation
        "reminders 0, sent 0, failed 0",
    ]
    [reminder] = inbox(world.bob, K.ACTIVITY_REMINDER)
    assert reminder.deliveries.get().status == Delivery.Status.SENT


# --- changes, cancellation, promotion ---------------------------------------------------------


def test_time_change_reaches_each_signed_up_volunteer_once(world, full):
    act, fay, _ = full
    move(world.alice, act, starts_at=START + timedelta(days=1), ends_at=END + timedelta(days=1))
    for user in (world.bob, world.erin):
        [notice] = inbox(user, K.ACTIVITY_CHANGED)
        assert notice.body.startswith("活动时间已变更") and "11月21日 09:00–11:00" in notice.body
    assert inbox(fay.user, K.ACTIVITY_CHANGED) == []
    assert inbox(world.alice) == []
    # A second change is a second notice (once per change, not once ever).
    move(world.alice, act, venue="B栋会议室")
    bodies = sorted(n.body for n in inbox(world.bob, K.ACTIVITY_CHANGED))
    assert len(bodies) == 2 and any(b.startswith("活动地点已变更") for b in bodies)


def test_withdrawn_volunteer_is_not_told_of_changes(world):
    act = activity(world.alice, world.a["community"])
    s = sign_up(world.bob, act)
    signups.signup_cancel(actor=world.bob, signup_id=s.pk, now=NOW)
    move(world.alice, act, venue="新地点")
    assert inbox(world.bob, K.ACTIVITY_CHANGED) == []


def test_edits_other_than_time_or_venue_tell_nobody(world, full):
    act, _, _ = full
    move(world.alice, act, title="为老义剪（第二期）", description="理发和修面")
    assert Notification.objects.exclude(kind=K.SIGNUP).count() == 0  # only the sign-ups' own


def test_a_draft_activity_changes_and_cancels_silently(world):
    act = activity(world.alice, world.a["community"], publish=False)
    move(world.alice, act, venue="新地点")
    services.activity_cancel(actor=world.alice, activity_id=act.pk, reason="不办了", now=NOW)
    assert Notification.objects.count() == 0


def test_cancellation_reaches_each_signed_up_volunteer_once(world, full):
    act, fay, _ = full
    services.activity_cancel(actor=world.alice, activity_id=act.pk, reason="场地维修", now=NOW)
    for user in (world.bob, world.erin):
        [notice] = inbox(user, K.ACTIVITY_CANCELLED)
        assert notice.title == "活动取消：为老义剪" and "原因：场地维修" in notice.body
    assert inbox(fay.user, K.ACTIVITY_CANCELLED) == []
    with pytest.raises(Conflict):
        services.activity_cancel(actor=world.alice, activity_id=act.pk, reason="再次", now=NOW)
    assert len(inbox(world.bob, K.ACTIVITY_CANCELLED)) == 1
    # The dedupe key makes a repeated notice a no-op even when called directly.
    assert notices.activity_cancelled(act, reason="x") == 0


def test_promotion_from_the_waiting_list_is_notified_once(world, full):
    act, _, _ = full
    bob_signup = SignUp.objects.get(activity=act, volunteer=world.bob_volunteer)
    signups.signup_cancel(actor=world.bob, signup_id=bob_signup.pk, now=NOW)
    [notice] = inbox(world.erin, K.WAITLIST_PROMOTED)
    assert notice.title == "候补转正：为老义剪" and "报名已确认" in notice.body
    assert inbox(world.bob, K.WAITLIST_PROMOTED) == []
    erin_signup = SignUp.objects.get(activity=act, volunteer=world.erin_volunteer)
    notices.signup_promoted(erin_signup)
    assert len(inbox(world.erin, K.WAITLIST_PROMOTED)) == 1


def test_sms_reminder_reaches_the_volunteers_registered_mobile(world, full, settings, capsys):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = [24]
    assert world.bob.phone == ""  # registration makes accounts without a phone
    world.bob_volunteer.phone = "13700001234"
    world.bob_volunteer.save(update_fields=["phone"])
    deliver_pending()  # the sign-up confirmations, queued before SMS was on
    assert notices.reminders_send(now=START - timedelta(hours=3)) == 1
    assert deliver_pending().sent == 2
    out = capsys.readouterr().out
    assert "[SMS] 137****1234: 【社志通】活动提醒：为老义剪：您报名的活动将于" in out
