"""Role × state: the selector, the organiser page's buttons and the services agree on what each
user of the cast may do with an activity (draft, published, cancelled; before it starts)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import attendance, editing, services
from shezhi.activities.models import Activity
from shezhi.activities.permissions import ActivityAction, activity_actions_for
from shezhi.core.errors import Conflict, DomainError, Forbidden, NotFound

A = ActivityAction
CAST = ("alice", "charlie", "gina", "sam", "admin", "bob", "erin", "dora", "partner_user")
# A state refusal; any other domain error comes after the guard let the actor through.
REFUSAL_CODES = {"illegal_transition", "conflict"}
BUTTONS = {
    'data-testid="publish"': A.PUBLISH,
    'data-testid="edit-link"': A.EDIT,
    'data-testid="cancel-activity"': A.CANCEL,
    'data-testid="qr-link"': A.SHOW_QR,
    'data-testid="close"': A.CLOSE_ATTENDANCE,
    'data-testid="confirm"': A.CONFIRM_ATTENDANCE,
}
# What an organiser may do with an activity that has not started, by state.
ORGANISER = {
    "draft": {A.PUBLISH, A.EDIT, A.CANCEL, A.DECIDE_SIGNUPS},
    "published": {A.EDIT, A.CANCEL, A.SHOW_QR, A.CHECKIN_MANUAL, A.DECIDE_SIGNUPS},
    "cancelled": {A.DECIDE_SIGNUPS},
}


class Rollback(Exception):
    pass


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
    if state != "draft":
        services.activity_publish(actor=world.alice, activity_id=activity.pk)
    if state == "cancelled":
        services.activity_cancel(actor=world.alice, activity_id=activity.pk, reason="下雨")
    activity.refresh_from_db()
    return activity


def _calls(actor: User, activity: Activity) -> dict[ActivityAction, Callable[[], object]]:
    pk = activity.pk
    position = activity.positions.get()
    return {
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
    }


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


@pytest.mark.parametrize("state", ["draft", "published", "cancelled"])
def test_selector_page_and_services_agree(world, state):
    activity = _activity_in(world, state)
    organisers = {"alice", "sam", "admin"}  # the unit's social worker, its street, the admin
    for name in CAST:
        user = getattr(world, name)
        allowed = activity_actions_for(user, activity)
        expected = ORGANISER[state] if name in organisers else set()
        assert allowed == expected, (name, state)
        assert _buttons(user, activity) == allowed & set(BUTTONS.values()), (name, state)
        for action, call in _calls(user, activity).items():
            assert _service_lets_through(call) == (action in allowed), (name, state, action)


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
