"""Publishing and cancelling an activity."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from shezhi.accounts.models import User
from shezhi.activities import notices
from shezhi.activities import permissions as perms
from shezhi.activities.models import (
    Activity,
    SignUp,
)
from shezhi.activities.services.access import (
    activity_for_organiser,
)
from shezhi.activities.services.common import (
    CANCELLED_WITH_ACTIVITY,
    SU,
    Status,
)
from shezhi.core import audit
from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_text
from shezhi.core.models import AuditEvent


@transaction.atomic
def activity_publish(*, actor: User, activity_id: int, now: datetime | None = None) -> Activity:
    """Draft → published: volunteers in the scope can now see it and sign up."""
    now = now or timezone.now()
    activity = activity_for_organiser(actor, activity_id, lock=True)
    perms.require_activity_action(actor, activity, perms.ActivityAction.PUBLISH, now=now)
    if not activity.positions.exists():
        raise InvalidInput("请至少设置一个岗位", field="positions")
    if activity.positions.filter(hazardous=True).exists() and not activity.has_risks:
        raise InvalidInput(
            "设有危险性岗位的活动须如实告知风险（《志愿服务条例》第十二条）",
            field="risk_statement",
        )
    activity.status = Status.PUBLISHED
    activity.published_at = now
    activity.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=activity,
        summary=f"发布活动 {activity.title}",
        changes={"status": ["draft", "published"]},
    )
    return activity


@transaction.atomic
def activity_cancel(
    *, actor: User, activity_id: int, reason: str, now: datetime | None = None
) -> Activity:
    """Cancel a draft or published activity (when, see permissions.py); its live sign-ups are
    cancelled with it."""
    activity = activity_for_organiser(actor, activity_id, lock=True)
    perms.require_activity_action(actor, activity, perms.ActivityAction.CANCEL, now=now)
    reason = clean_text(reason, field="reason", label="取消原因", max_length=300)
    before = activity.status
    if before == Status.PUBLISHED:  # a draft has no sign-ups to tell
        notices.activity_cancelled(activity, reason=reason)
    activity.status = Status.CANCELLED
    activity.cancel_reason = reason
    activity.save(update_fields=["status", "cancel_reason", "updated_at"])
    n = (
        SignUp.objects.filter(activity=activity)
        .exclude(status=SU.CANCELLED)
        .update(
            status=SU.CANCELLED,
            cancelled_at=timezone.now(),
            cancel_reason=f"{CANCELLED_WITH_ACTIVITY}{reason}"[:300],
        )
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=activity,
        summary=f"取消活动 {activity.title}，{n}人的报名随之取消",
        changes={"status": [before, "cancelled"], "reason": reason},
    )
    return activity
