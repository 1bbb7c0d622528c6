"""Scoped reads for residents' data rights. A resident outside the actor's scope, or a request
about one, is 'not found'."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case as CaseWhen
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.cases.models import Case, CaseClosure, Stage
from shezhi.core.errors import NotFound
from shezhi.people.models import Resident
from shezhi.people.selectors import residents_visible_to
from shezhi.privacy.models import RightsRequest
from shezhi.privacy.policy import Periods, RecordRule, cutoff, rules
from shezhi.volunteers.policy import calendar_for


def periods() -> Periods:
    return Periods(
        need_years=settings.SHEZHI_RETENTION_NEED_YEARS,
        visit_years=settings.SHEZHI_RETENTION_VISIT_YEARS,
        case_years=settings.SHEZHI_RETENTION_CASE_YEARS,
        notification_days=settings.SHEZHI_RETENTION_NOTIFICATION_DAYS,
    )


def record_rules() -> tuple[RecordRule, ...]:
    return rules(periods())


def due_on(unit, start: date) -> date:
    """The answer deadline: SHEZHI_PRIVACY_ANSWER_WORKDAYS working days after `start`."""
    n = settings.SHEZHI_PRIVACY_ANSWER_WORKDAYS
    calendar = calendar_for(unit, start, start + timedelta(days=n * 2 + 30))
    return calendar.add_working_days(start, n)


def rights_resident(*, actor: User, resident_id: int | None = None) -> Resident:
    """The resident whose rights are exercised: a resident's own record (`resident_id` ignored),
    or, for desk staff, a resident in their scope."""
    if actor.role == Role.RESIDENT:
        resident = residents_visible_to(actor).first()
        if resident is None:
            raise NotFound("您的账号未关联居民档案，请联系社区")
        return resident
    if resident_id is None:
        raise NotFound("未找到该居民")
    try:
        return residents_visible_to(actor).get(pk=resident_id)
    except (Resident.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该居民") from None


def requests_visible_to(actor: User) -> QuerySet[RightsRequest]:
    qs = RightsRequest.objects.select_related("resident", "community", "answered_by")
    if actor.role == Role.RESIDENT:
        return qs.filter(resident__user=actor)
    if not actor.is_staff_role and not actor.is_superuser:
        return qs.none()
    return qs.filter(resident__in=residents_visible_to(actor).values("pk"))


def requests_for_desk(*, actor: User, only_open: bool = False) -> QuerySet[RightsRequest]:
    """Open requests first, the nearest deadline first; then answered ones, newest first."""
    qs = requests_visible_to(actor)
    if only_open:
        qs = qs.filter(status=RightsRequest.Status.OPEN)
    return qs.annotate(
        _closed=CaseWhen(
            When(status=RightsRequest.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("_closed", "due_on", "-id")


def request_get(*, actor: User, request_id: int) -> RightsRequest:
    try:
        return requests_visible_to(actor).get(pk=request_id)
    except (RightsRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该请求") from None


def cases_in_retention(resident: Resident, today: date) -> QuerySet[Case]:
    """The resident's case files that must be kept: open ones, and closed ones whose (last,
    not reopened) closure is within SHEZHI_RETENTION_CASE_YEARS."""
    limit = cutoff(today, years=settings.SHEZHI_RETENTION_CASE_YEARS)
    recent_closure = CaseClosure.objects.filter(
        case=OuterRef("pk"), reopened_at__isnull=True, closed_on__gt=limit
    )
    return Case.objects.filter(client=resident).filter(
        ~Q(status=Stage.CLOSED) | Q(Exists(recent_closure))
    )


def deletion_plan(resident: Resident, today: date | None = None) -> dict:
    """What a deletion would do now: per record type, deleted or kept, and why. The resident
    sees it before asking; the worker sees it before answering."""
    today = today or timezone.localdate()
    open_cases = cases_in_retention(resident, today).count()
    items = []
    for rule in record_rules():
        kept = rule.code == "case" or (rule.code == "resident" and open_cases > 0)
        items.append(
            {
                "code": rule.code,
                "label": rule.label,
                "action": rule.on_deletion,
                "period": rule.period,
                "why": rule.why,
                "kept_now": kept,
            }
        )
    note = ""
    if open_cases:
        note = (
            f"该居民有{open_cases}份在办或保存期内的个案档案。个案档案和居民身份信息（姓名、"
            "身份证号、手机号）暂予保留，以保护服务对象安全、完成服务；保存期满后由系统自动删除。"
            "账号、需求描述、走访说明等其他个人信息现在删除。"
        )
    return {"cases_in_retention": open_cases, "note": note, "items": items}
