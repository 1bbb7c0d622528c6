"""Helpers shared by the case services: locking, choices and dates checks, stage transitions,
notifications, access checks through team membership or emergency grants."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import models

from shezhi.accounts.models import User
from shezhi.cases import selectors
from shezhi.cases.models import Case, CaseAccessLog, CaseTeamMember, CaseTransition, Stage
from shezhi.cases.selectors import CaseAccess, case_access
from shezhi.core import audit
from shezhi.core.ages import ADULT_AGE, age_on
from shezhi.core.errors import InvalidInput, NotFound
from shezhi.core.models import AuditEvent, identity_snapshot
from shezhi.notifications.services import notify_many
from shezhi.notifications.texts import render
from shezhi.people.models import Resident


def stage_label(stage: str) -> str:
    return Stage(stage).label


def checked_choice(value: str, choices: type[models.TextChoices], message: str, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(message, field=field)
    return value


def not_future(day: date, today: date, *, field: str, what: str) -> None:
    if day > today:
        raise InvalidInput(f"{what}不能晚于今天", field=field)


def not_before_intake(day: date, case: Case, *, field: str, what: str) -> None:
    if day < case.opened_on:
        raise InvalidInput(f"{what}不能早于接案日期（{case.opened_on}）", field=field)


def next_review(risk_level: str, base: date) -> date:
    return base + timedelta(days=selectors.review_days(risk_level))


def lock_case(case: Case) -> Case:
    # "of self": the worker's unit is a nullable join, which PostgreSQL will not lock.
    qs = Case.objects.select_for_update(of=("self",)).select_related("client", "worker__unit")
    return qs.get(pk=case.pk)


def record_transition(
    case: Case, *, to: str, before: str, actor: User, now: datetime, note: str = ""
) -> None:
    CaseTransition.objects.create(
        case=case, from_status=before, to_status=to, at=now, by=actor, note=note[:300]
    )
    audit.record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=case,
        summary=f"个案阶段：{stage_label(before) if before else '新建'} → {stage_label(to)}",
        changes={"status": [before, to]},
    )


def notify_case(
    case: Case, recipients: Sequence[User], *, kind: str, title: str, body: str, key: str
) -> None:
    """Tell people about a case through the notification outbox (inbox and SMS). The text names
    the case number only, never the client: an SMS or a lock screen is not confidential."""
    notify_many(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        link=f"/desk/cases/{case.pk}/",
        dedupe_key=key,
    )


def notice_text(key: str, **params: object) -> dict[str, str]:
    title, body = render(key, **params)
    return {"title": title, "body": body}


def is_minor(client: Resident, on: date) -> bool:
    return age_on(client.birth_date, on) < ADULT_AGE


def set_risk(case: Case, risk_level: str, base: date) -> None:
    case.risk_level = risk_level
    case.next_review_on = next_review(risk_level, base)
    case.save(update_fields=["risk_level", "next_review_on", "updated_at"])


def active_members(case: Case, today: date) -> models.QuerySet[CaseTeamMember]:
    return case.team.filter(selectors.serving_on(today))


def access_via(actor: User, model: type[models.Model], pk: int, now: datetime) -> CaseAccess:
    """Access to the case a child row belongs to; a missing row is "not found" like a case."""
    try:
        case_id = model._default_manager.filter(pk=pk).values_list("case_id", flat=True).first()
    except (TypeError, ValueError):
        case_id = None
    if case_id is None:
        CaseAccessLog.objects.create(
            case_ref=0,
            user=actor,
            user_identity=identity_snapshot(actor),
            at=now,
            action=CaseAccessLog.Action.DENIED,
            part=str(pk)[:20],
        )
        raise NotFound(selectors.NOT_FOUND)
    return case_access(actor=actor, case_id=case_id, now=now)
