"""Who may do what with an activity and a sign-up: one answer for services, pages and API.

An activity's organisers (staff of the organising unit or above, or a leader of the organising
team) publish a draft, edit or cancel it until it ends, show the check-in QR code and check
volunteers in by hand while it is published, and decide pending sign-ups; after it ends they close
forgotten check-outs, and staff of the organising unit (谁组织谁记录) confirm the attendance. A
volunteer checks in to and cancels their own live sign-up of a published activity."""

from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities.models import Activity, SignUp
from shezhi.activities.services.access import may_organise
from shezhi.volunteers.services import may_record_for

Status = Activity.Status
LIVE = (Status.DRAFT, Status.PUBLISHED)


class ActivityAction(StrEnum):
    PUBLISH = "publish"
    EDIT = "edit"
    CANCEL = "cancel"
    SHOW_QR = "show_qr"
    DECIDE_SIGNUPS = "decide_signups"  # confirm or refuse a pending sign-up
    CHECKIN_MANUAL = "checkin_manual"
    CLOSE_ATTENDANCE = "close_attendance"  # check out those who forgot, after the end
    CONFIRM_ATTENDANCE = "confirm_attendance"  # write the service records


class SignUpAction(StrEnum):
    CHECK_IN = "check_in"  # check in and out with the QR code
    CANCEL = "cancel"


def activity_actions_for(
    actor: User, activity: Activity, *, now: datetime | None = None
) -> frozenset[ActivityAction]:
    if not actor.is_authenticated or not may_organise(actor, activity):
        return frozenset()
    now = now or timezone.now()
    ended = now >= activity.ends_at
    A = ActivityAction
    allowed: set[ActivityAction] = {A.DECIDE_SIGNUPS}
    if activity.status == Status.DRAFT:
        allowed.add(A.PUBLISH)
    if activity.status in LIVE and not ended:
        allowed |= {A.EDIT, A.CANCEL}
    if activity.status == Status.PUBLISHED:
        allowed |= {A.SHOW_QR, A.CHECKIN_MANUAL}
    if ended and activity.status != Status.CANCELLED:
        allowed.add(A.CLOSE_ATTENDANCE)
        if activity.status in (Status.PUBLISHED, Status.FINISHED) and may_record_for(
            actor, activity.organiser_unit
        ):
            allowed.add(A.CONFIRM_ATTENDANCE)
    return frozenset(allowed)


def signup_actions_for(actor: User, signup: SignUp) -> frozenset[SignUpAction]:
    """The volunteer's own sign-up (load it with its volunteer and activity)."""
    if not actor.is_authenticated or signup.volunteer.user_id != actor.pk:
        return frozenset()
    if signup.status == SignUp.Status.CANCELLED or signup.activity.status != Status.PUBLISHED:
        return frozenset()
    return frozenset({SignUpAction.CHECK_IN, SignUpAction.CANCEL})
