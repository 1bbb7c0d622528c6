"""Role × state: the selector, the organiser page's buttons and the services agree on what each
user of the cast may do with an activity (draft, published, cancelled; before it starts, once it
has started, once someone has checked in, after it ends), and the selector, the volunteer's page
and the service on what a volunteer may do with their sign-up (before and after the cut-off,
after the start, once checked in)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import attendance, editing, services, signups
from shezhi.activities.errors import ActivityError
from shezhi.activities.models import Activity, Attendance, SignUp
from shezhi.activities.permissions import (
    ActivityAction,
    SignUpAction,
    activity_actions_for,
    signup_actions_for,
)
from shezhi.core.errors import Conflict, DomainError, Forbidden, NotFound

A = ActivityAction
CAST = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")
# A state refusal; any other domain error comes after the guard let the actor through.
REFUSAL_CODES = {
    "illegal_transition",
    "conflict",
    ActivityError.OPEN_CHECKOUTS,
    ActivityError.CUTOFF,
}
BUTTONS = {
    'data-testid="publish"': A.PUBLISH,
    'data-testid="edit-link"': A.EDIT,
    'data-testid="cancel-activity"': A.CANCEL,
    'data-testid="qr-link"': A.SHOW_QR,
    'data-testid="manual-checkin"': A.CHECKIN_MANUAL,
    'data-testid="close"': A.CLOSE_ATTENDANCE,
    'data-testid="confirm"': A.CONFIRM_ATTENDANCE,
}
D = A.DECIDE_SIGNUPS
# What an organiser may do with the activity, by state. Bob and Erin have signed up to the
# published ones; in "attended" Bob has checked in (before or after the start), in "ended" he
# forgot to check out.
ORGANISER = {
    "draft": {A.PUBLISH, A.EDIT, A.CANCEL, D},
    "draft_ended": {A.CANCEL, D},  # never shown to anyone: it may still be cleared away
    "published": {A.EDIT, A.CANCEL, A.SHOW_QR, D},
    "checkin_open": {A.EDIT, A.CANCEL, A.SHOW_QR, A.CHECKIN_MANUAL, D},
    "early_checkin": {A.SHOW_QR, A.CHECKIN_MANUAL, D},
    "started": {A.CANCEL, A.SHOW_QR, A.CHECKIN_MANUAL, D},
    "attended": {A.SHOW_QR, A.CHECKIN_MANUAL, D},
    "ended": {A.CHECKIN_MANUAL, A.CLOSE_ATTENDANCE, D},  # 补登 with a time within the activity
    "ended_quiet": {A.CHECKIN_MANUAL, A.CLOSE_ATTENDANCE, A.CONFIRM_ATTENDANCE, D},
    "cancelled": {D},
}


class Rollback(Exception):
    pass


def _shift(activity: Activity, *, starts_in: timedelta) -> None:
    """Move the two-hour activity so that it starts `starts_in` from now (negative: started)."""
    start = timezone.now() + starts_in
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=2)
    )


def _activity_in(world, state: str) -> Activity:
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=2)
    spec = services.ActivitySpec(
        title="为老义剪",
        category="elderly",
        description="为社区老人免费理发",
        venue="A社区党群服务中心",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        person_in_charge="王主任",
        positions=[services.PositionSpec(name="理发师", quota=2)],
        organiser_unit_id=world.a["community"].pk,
    )
    activity = services.activity_create(actor=world.alice, spec=spec)
    if not state.startswith("draft"):
        services.activity_publish(actor=world.alice, activity_id=activity.pk)
        position = activity.positions.get()
        for user in (world.bob, world.erin):
            signups.signup_create(actor=user, position_id=position.pk)
    if state == "cancelled":
        services.activity_cancel(actor=world.alice, activity_id=activity.pk, reason="下雨")
    opens = timedelta(minutes=10)  # check-in opens an hour before the start (settings)
    moves = {
        "draft_ended": -timedelta(hours=3),
        "checkin_open": opens,
        "early_checkin": opens,
        "started": -timedelta(minutes=30),
        "attended": -timedelta(minutes=30),
        "ended": -timedelta(minutes=30),
        "ended_quiet": -timedelta(hours=3),
    }
    if state in moves:
        _shift(activity, starts_in=moves[state])
    if state in ("early_checkin", "attended", "ended"):
        bob = SignUp.objects.get(activity=activity, volunteer=world.bob_volunteer)
        attendance.checkin_manual(actor=world.alice, signup_id=bob.pk, reason="没带手机")
    if state == "ended":
        _shift(activity, starts_in=-timedelta(hours=3))
    activity.refresh_from_db()
    return activity


def _calls(actor: User, activity: Activity) -> dict[ActivityAction, Callable[[], object]]:
    pk = activity.pk
    position = activity.positions.get()
    erin = SignUp.objects.filter(activity=activity, volunteer__name="艾琳").first()
    calls: dict[ActivityAction, Callable[[], object]] = {
        A.PUBLISH: lambda: services.activity_publish(actor=actor, activity_id=pk),
        A.CANCEL: lambda: services.activity_cancel(actor=actor, activity_id=pk, reason="改期"),
        A.SHOW_QR: lambda: attendance.checkin_token_issue(actor=actor, activity_id=pk),
        A.EDIT: lambda: editing.activity_update(
            actor=actor,
            activity_id=pk,
            title="为老义剪（改）",
            description=activity.description,
            venue=activity.venue,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            positions=[editing.PositionEdit(name=position.name, quota=3, id=position.pk)],
        ),
        A.CLOSE_ATTENDANCE: lambda: attendance.checkout_close_forgotten(
            actor=actor, activity_id=pk
        ),
        A.CONFIRM_ATTENDANCE: lambda: attendance.attendance_confirm(actor=actor, activity_id=pk),
    }
    if erin is not None:  # Erin has not checked in
        calls[A.CHECKIN_MANUAL] = lambda: attendance.checkin_manual(
            actor=actor,
            signup_id=erin.pk,
            reason="没带手机",
            at=min(timezone.now(), activity.ends_at),
        )
    return calls


def _service_lets_through(call: Callable[[], object]) -> bool:
    """Run the service in a savepoint that is always rolled back; True unless it was refused."""
    try:
        with transaction.atomic():
            try:
                call()
            except (Forbidden, NotFound):
                return False
            except Conflict as exc:
                if exc.code in REFUSAL_CODES:
                    return False
            except DomainError:
                pass
            raise Rollback
    except Rollback:
        return True


def _buttons(user: User, activity: Activity) -> set[ActivityAction]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("activities:desk_detail", args=[activity.pk]))
    if response.status_code != 200:
        return set()
    html = response.content.decode()
    return {action for marker, action in BUTTONS.items() if marker in html}


def _shown(allowed: set[ActivityAction], activity: Activity) -> set[ActivityAction]:
    """The buttons the page draws: 补签退 only when someone is left to check out, 手工签到 only
    for someone not checked in yet (Erin, while her sign-up is live)."""
    shown = allowed & set(BUTTONS.values())
    if not activity.attendances.filter(checked_out_at__isnull=True).exists():
        shown.discard(A.CLOSE_ATTENDANCE)
    return shown


@pytest.mark.parametrize("state", list(ORGANISER))
def test_selector_page_and_services_agree(world, state):
    activity = _activity_in(world, state)
    organisers = {"alice", "sam", "admin"}  # the unit's social worker, its street, the admin
    for name in CAST:
        user = getattr(world, name)
        allowed = set(activity_actions_for(user, activity))
        expected = ORGANISER[state] if name in organisers else set()
        assert allowed == expected, (name, state)
        assert _buttons(user, activity) == _shown(allowed, activity), (name, state)
        for action, call in _calls(user, activity).items():
            assert _service_lets_through(call) == (action in allowed), (name, state, action)


# --- the volunteer's sign-up ------------------------------------------------------------------

# What Bob may do with his own (confirmed) sign-up, by state; nobody else has any action on it.
VOLUNTEER = {
    "before_cutoff": {SignUpAction.CANCEL},  # check-in opens an hour before the start
    "after_cutoff": set(),
    "started": {SignUpAction.CHECK_IN},
    "checked_in": {SignUpAction.CHECK_IN},
    "pending_started": set(),  # awaiting the organiser's confirmation: no check-in link
    "withdrawn": set(),
    "activity_cancelled": set(),
}


def _signup_in(world, state: str) -> SignUp:
    activity = _activity_in(world, "published")
    Activity.objects.filter(pk=activity.pk).update(cancel_cutoff_hours=24)
    signup = SignUp.objects.get(activity=activity, volunteer=world.bob_volunteer)
    moves = {
        "after_cutoff": timedelta(hours=5),
        "started": -timedelta(minutes=30),
        "pending_started": -timedelta(minutes=30),
        "checked_in": timedelta(minutes=10),
    }
    if state == "pending_started":
        SignUp.objects.filter(pk=signup.pk).update(status=SignUp.Status.PENDING)
    if state in moves:
        _shift(activity, starts_in=moves[state])
    if state == "checked_in":
        attendance.checkin_manual(actor=world.alice, signup_id=signup.pk, reason="没带手机")
    if state == "withdrawn":
        signups.signup_cancel(actor=world.bob, signup_id=signup.pk)
    if state == "activity_cancelled":
        services.activity_cancel(actor=world.alice, activity_id=activity.pk, reason="下雨")
    return SignUp.objects.select_related("volunteer", "activity", "position").get(pk=signup.pk)


def _volunteer_buttons(user: User, signup: SignUp) -> set[SignUpAction]:
    client = Client()
    client.force_login(user)
    html = client.get(reverse("activities:mine")).content.decode()
    buttons = set()
    if reverse("activities:cancel", args=[signup.pk]) in html:
        buttons.add(SignUpAction.CANCEL)
    if reverse("activities:checkin", args=[signup.activity_id]) in html:
        buttons.add(SignUpAction.CHECK_IN)
    return buttons


@pytest.mark.parametrize("state", list(VOLUNTEER))
def test_signup_selector_page_and_service_agree(world, state):
    signup = _signup_in(world, state)
    for name in ("bob", "erin", "alice", "dora"):
        user = getattr(world, name)
        allowed = set(signup_actions_for(user, signup))
        assert allowed == (VOLUNTEER[state] if name == "bob" else set()), (name, state)
        if name == "bob":
            assert _volunteer_buttons(user, signup) == allowed, state
        if name == "erin":  # her own sign-up to the same activity has its own check-in link
            assert SignUpAction.CANCEL not in _volunteer_buttons(user, signup), state
        if name != "alice":  # the organiser withdraws with a reason: see the test below
            lets_through = _service_lets_through(
                lambda u=user: signups.signup_cancel(actor=u, signup_id=signup.pk)
            )
            assert lets_through == (SignUpAction.CANCEL in allowed), (name, state)


def test_past_the_cutoff_the_volunteer_is_told_whom_to_ask(world):
    signup = _signup_in(world, "after_cutoff")
    client = Client()
    client.force_login(world.bob)
    html = client.get(reverse("activities:mine")).content.decode()
    assert 'data-testid="cutoff-note"' in html and "请联系活动组织者" in html
    assert 'data-testid="cancel-signup"' not in html
    # The organiser may still withdraw him (with a reason) until the start.
    signups.signup_cancel(actor=world.alice, signup_id=signup.pk, reason="身体不适")


def test_only_unit_staff_confirm_attendance_after_the_end(world):
    """The team leader organises the team's activity but does not confirm its attendance (谁组织
    谁记录): the page no longer offers the button the service refuses."""
    activity = _activity_in(world, "published")
    Activity.objects.filter(pk=activity.pk).update(team=world.team)
    activity.refresh_from_db()
    after_end = activity.ends_at + timedelta(hours=1)
    leader = activity_actions_for(world.erin, activity, now=after_end)
    assert A.CLOSE_ATTENDANCE in leader and A.CONFIRM_ATTENDANCE not in leader
    with pytest.raises(Forbidden):
        attendance.attendance_confirm(actor=world.erin, activity_id=activity.pk, now=after_end)
    assert A.CONFIRM_ATTENDANCE in activity_actions_for(world.alice, activity, now=after_end)
    assert activity_actions_for(world.dora, activity, now=after_end) == frozenset()


def test_the_api_returns_the_selectors_answer(world):
    activity = _activity_in(world, "draft")
    client = Client()
    client.force_login(world.alice)
    response = client.post(f"/api/v1/activities/{activity.pk}/publish")
    assert response.status_code == 200, response.content
    published = response.json()["allowed_actions"]
    activity.refresh_from_db()
    assert set(published) == set(activity_actions_for(world.alice, activity))
    assert "show_qr" in published and "publish" not in published


def test_after_the_end_the_desk_checks_in_by_hand_with_the_arrival_time(world):
    """The selector allows 补登 after the end; the page asks for the arrival time, since "now"
    lies outside the activity."""
    activity = _activity_in(world, "ended")
    erin = SignUp.objects.get(activity=activity, volunteer=world.erin_volunteer)
    client = Client()
    client.force_login(world.alice)
    assert (
        'name="at"'
        in client.get(reverse("activities:desk_detail", args=[activity.pk])).content.decode()
    )
    url = reverse("activities:manual_checkin", args=[activity.pk, erin.pk])
    client.post(url, {"reason": "忘带手机", "at": "25:99"}, follow=True)
    assert not Attendance.objects.filter(signup=erin).exists()
    arrived = timezone.localtime(activity.starts_at + timedelta(minutes=5))
    client.post(url, {"reason": "忘带手机", "at": f"{arrived:%H:%M}"})
    attendance = Attendance.objects.get(signup=erin)
    assert timezone.localtime(attendance.checked_in_at).strftime("%H:%M") == f"{arrived:%H:%M}"
    # The outsider gets nothing in: not found.
    outsider = Client()
    outsider.force_login(world.charlie)
    assert outsider.post(url, {"reason": "x", "at": "10:00"}).status_code == 404
