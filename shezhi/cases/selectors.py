"""Scoped, logged reads of case files.

A case is visible to its active team (the worker included), to the supervisors (督导) whose unit
is the worker's unit or above it, and to an admin holding unexpired emergency access. Nobody
else sees it — not other workers of the same community, not admins by default. A case outside
the actor's reach is "not found", exactly like a missing one, and the attempt is logged. Team
members whose role is not casework (counsellor, adviser, volunteer) see the summary, the plan
and their own sessions only. Every read writes a CaseAccessLog row.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.accounts.scoping import unit_scope
from shezhi.cases.models import (
    FULL_TEAM_ROLES,
    Assessment,
    BenefitTask,
    Case,
    CaseAccessLog,
    CaseClosure,
    CaseReview,
    CaseTeamMember,
    CaseTransition,
    CrisisIntervention,
    EmergencyAccess,
    InterventionLog,
    Referral,
    RiskLevel,
    ServicePlan,
    Stage,
    SupervisionNote,
)
from shezhi.cases.permissions import ADMIN_ROLES, CaseDeskAction, case_desk_actions_for
from shezhi.core import audit
from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent, identity_snapshot
from shezhi.core.permissions import require

# The parts of a case file.
SUMMARY, ASSESSMENT, PLAN, SESSIONS = "summary", "assessment", "plan", "sessions"
TEAM, CRISIS, REFERRALS, BENEFITS = "team", "crisis", "referrals", "benefits"
REVIEWS, HISTORY, SUPERVISION, ACCESS_LOG = "reviews", "history", "supervision", "access_log"
CASE_FILE = frozenset(
    {SUMMARY, ASSESSMENT, PLAN, SESSIONS, TEAM, CRISIS, REFERRALS, BENEFITS, REVIEWS, HISTORY}
)
LIMITED = frozenset({SUMMARY, PLAN, SESSIONS})

WORKER, SUPERVISOR, EMERGENCY = "worker", "supervisor", "emergency"
RELATION_PARTS = {
    WORKER: CASE_FILE | {SUPERVISION},
    SUPERVISOR: CASE_FILE | {SUPERVISION, ACCESS_LOG},
    EMERGENCY: CASE_FILE,
}

NOT_FOUND = "未找到该个案"
REPORT_REFUSAL = "您的角色无权查看个案统计"


@dataclass(frozen=True)
class CaseAccess:
    """What one actor may see of one case, and as whom."""

    case: Case
    relations: frozenset[str]
    parts: frozenset[str]
    own_sessions_only: bool

    @property
    def relation(self) -> str:
        for name in (WORKER, SUPERVISOR):
            if name in self.relations:
                return name
        return sorted(self.relations)[0]

    def can(self, part: str) -> bool:
        return part in self.parts

    @property
    def is_worker(self) -> bool:
        return WORKER in self.relations

    @property
    def is_supervisor(self) -> bool:
        return SUPERVISOR in self.relations

    @property
    def works_the_case(self) -> bool:
        """The worker and casework team members: they write the file."""
        return self.is_worker or any(
            r.startswith("team:") and r[5:] in FULL_TEAM_ROLES for r in self.relations
        )

    @property
    def is_team_member(self) -> bool:
        return self.is_worker or any(r.startswith("team:") for r in self.relations)


def review_days(risk_level: str) -> int:
    days = settings.SHEZHI_CASE_REVIEW_DAYS or {}
    defaults = {"urgent": 7, "high": 14, "medium": 30, "low": 90}
    return int(days.get(risk_level, defaults[risk_level]))


def ancestor_paths(path: str) -> list[str]:
    """ "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"]."""
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def supervisors_of(worker: User) -> QuerySet[User]:
    """The supervisor line above a worker: active supervisors of the worker's unit or above."""
    if worker.unit is None:
        return User.objects.none()
    return User.objects.filter(
        role=Role.SUPERVISOR, is_active=True, unit__path__in=ancestor_paths(worker.unit.path)
    ).order_by("id")


def serving_on(today: date) -> Q:
    """A team member still serves on `today` when their end date is unset or not yet past."""
    return Q(ended_on__isnull=True) | Q(ended_on__gte=today)


def _active_team(user: User, today: date) -> QuerySet[CaseTeamMember]:
    return CaseTeamMember.objects.filter(user=user).filter(serving_on(today))


def _supervision_q(user: User) -> Q | None:
    if user.role != Role.SUPERVISOR or user.unit is None or not user.is_active:
        return None
    return Q(worker__unit__path__startswith=user.unit.path)


def _emergency(user: User, now: datetime) -> QuerySet[EmergencyAccess]:
    return EmergencyAccess.objects.filter(
        user=user, revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now
    )


def cases_visible_to(user: User, *, now: datetime | None = None) -> QuerySet[Case]:
    """Not logged: for internal use; callers that show cases log through `_log_list`."""
    now = now or timezone.now()
    if not user.is_active:
        return Case.objects.none()
    today = timezone.localdate(now)
    q = (
        Q(worker=user)
        | Q(Exists(_active_team(user, today).filter(case_id=OuterRef("pk"))))
        | Q(Exists(_emergency(user, now).filter(case_id=OuterRef("pk"))))
    )
    sup = _supervision_q(user)
    if sup is not None:
        q |= sup
    return Case.objects.filter(q).select_related("client", "worker", "community")


def _relations(user: User, case: Case, now: datetime) -> set[str]:
    if not user.is_active:
        return set()
    rel: set[str] = set()
    if case.worker_id == user.pk:
        rel.add(WORKER)
    today = timezone.localdate(now)
    for role in _active_team(user, today).filter(case=case).values_list("role", flat=True):
        rel.add(f"team:{role}")
    worker_unit = case.worker.unit
    if (
        user.role == Role.SUPERVISOR
        and user.unit is not None
        and worker_unit is not None
        and worker_unit.path.startswith(user.unit.path)
    ):
        rel.add(SUPERVISOR)
    if _emergency(user, now).filter(case=case).exists():
        rel.add(EMERGENCY)
    return rel


def _access_from(case: Case, rel: set[str]) -> CaseAccess:
    parts: set[str] = set()
    own_only = True
    for r in rel:
        if r.startswith("team:"):
            full = r[5:] in FULL_TEAM_ROLES
            parts |= CASE_FILE if full else LIMITED
            own_only = own_only and not full
        else:
            parts |= RELATION_PARTS[r]
            own_only = False
    return CaseAccess(
        case=case, relations=frozenset(rel), parts=frozenset(parts), own_sessions_only=own_only
    )


def _log(
    *,
    user: User,
    case_ref: int,
    case: Case | None,
    action: str,
    now: datetime,
    part: str = "",
    relation: str = "",
) -> None:
    CaseAccessLog.objects.create(
        case=case,
        case_ref=max(case_ref, 0),
        user=user if user.pk else None,
        user_identity=identity_snapshot(user),
        at=now,
        action=action,
        part=part,
        relation=relation,
    )


def _log_list(user: User, cases: list[Case], now: datetime, part: str = "list") -> None:
    identity = identity_snapshot(user)
    CaseAccessLog.objects.bulk_create(
        CaseAccessLog(
            case=c,
            case_ref=c.pk,
            user=user,
            user_identity=identity,
            at=now,
            action=CaseAccessLog.Action.LIST,
            part=part,
        )
        for c in cases
    )


def parse_case_id(case_id: object) -> int:
    try:
        return int(case_id)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return 0


def case_access(
    *, actor: User, case_id: int, now: datetime | None = None, for_update: bool = False
) -> CaseAccess:
    """The actor's access to a case, logging a refusal (not a read). Services use this."""
    now = now or timezone.now()
    ref = parse_case_id(case_id)
    qs = Case.objects.select_related("client", "worker__unit", "community")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(pk=ref).first() if ref > 0 else None
    rel = _relations(actor, case, now) if case is not None else set()
    if case is None or not rel:
        _log(user=actor, case_ref=ref, case=case, action=CaseAccessLog.Action.DENIED, now=now)
        raise NotFound(NOT_FOUND)
    return _access_from(case, rel)


def _require_part(access: CaseAccess, actor: User, part: str, now: datetime) -> None:
    if not access.can(part):
        _log(
            user=actor,
            case_ref=access.case.pk,
            case=access.case,
            action=CaseAccessLog.Action.DENIED,
            now=now,
            part=part,
            relation=access.relation,
        )
        raise Forbidden("您在本个案中的角色无权查看这部分内容")


def case_get(
    *, actor: User, case_id: int, part: str = SUMMARY, now: datetime | None = None
) -> CaseAccess:
    """Read one part of a case: refused as "not found" outside the team and supervisor line,
    as forbidden for a part the actor's team role does not need; every read is logged."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    _require_part(access, actor, part, now)
    _log(
        user=actor,
        case_ref=access.case.pk,
        case=access.case,
        action=CaseAccessLog.Action.READ,
        now=now,
        part=part,
        relation=access.relation,
    )
    return access


def case_assessments(*, actor: User, case_id: int, now: datetime | None = None) -> list[Assessment]:
    access = case_get(actor=actor, case_id=case_id, part=ASSESSMENT, now=now)
    return list(access.case.assessments.select_related("assessed_by"))


def case_plan(*, actor: User, case_id: int, now: datetime | None = None) -> ServicePlan | None:
    """The current (latest) service plan with its goals."""
    access = case_get(actor=actor, case_id=case_id, part=PLAN, now=now)
    return access.case.plans.prefetch_related("goals__responsible").order_by("-version").first()


def case_interventions(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[InterventionLog]:
    access = case_get(actor=actor, case_id=case_id, part=SESSIONS, now=now)
    qs = access.case.interventions.select_related("by", "goal")
    if access.own_sessions_only:
        qs = qs.filter(by=actor)
    return list(qs)


def case_team(
    *, actor: User, case_id: int, active_only: bool = False, now: datetime | None = None
) -> list[CaseTeamMember]:
    """The case team; `active_only` keeps the members who still serve today."""
    now = now or timezone.now()
    access = case_get(actor=actor, case_id=case_id, part=TEAM, now=now)
    team = access.case.team.select_related("user")
    if active_only:
        team = team.filter(serving_on(timezone.localdate(now)))
    return list(team)


def case_crises(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[CrisisIntervention]:
    access = case_get(actor=actor, case_id=case_id, part=CRISIS, now=now)
    return list(access.case.crises.all())


def case_referrals(*, actor: User, case_id: int, now: datetime | None = None) -> list[Referral]:
    access = case_get(actor=actor, case_id=case_id, part=REFERRALS, now=now)
    return list(access.case.referrals.all())


def case_benefit_tasks(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[BenefitTask]:
    access = case_get(actor=actor, case_id=case_id, part=BENEFITS, now=now)
    return list(access.case.benefit_tasks.all())


def case_reviews(*, actor: User, case_id: int, now: datetime | None = None) -> list[CaseReview]:
    access = case_get(actor=actor, case_id=case_id, part=REVIEWS, now=now)
    return list(access.case.reviews.select_related("by"))


@dataclass(frozen=True)
class CaseHistory:
    transitions: list[CaseTransition]
    closures: list[CaseClosure]


def case_history(*, actor: User, case_id: int, now: datetime | None = None) -> CaseHistory:
    access = case_get(actor=actor, case_id=case_id, part=HISTORY, now=now)
    return CaseHistory(
        transitions=list(access.case.transitions.select_related("by")),
        closures=list(access.case.closures.all()),
    )


def case_supervision_notes(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[SupervisionNote]:
    access = case_get(actor=actor, case_id=case_id, part=SUPERVISION, now=now)
    return list(access.case.supervision_notes.select_related("author"))


def case_access_logs(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[CaseAccessLog]:
    """The audit trail of a case, for its supervisor line."""
    access = case_get(actor=actor, case_id=case_id, part=ACCESS_LOG, now=now)
    return list(CaseAccessLog.objects.filter(case_ref=access.case.pk).select_related("user"))


def case_emergency_grants(
    *, actor: User, case_id: int, now: datetime | None = None
) -> list[EmergencyAccess]:
    """Every emergency grant on a case (active, expired, revoked), for its supervisor line."""
    access = case_get(actor=actor, case_id=case_id, part=ACCESS_LOG, now=now)
    return list(
        EmergencyAccess.objects.filter(case=access.case)
        .select_related("user")
        .order_by("-granted_at", "-id")
    )


def emergency_grants_active(*, actor: User, now: datetime | None = None) -> list[EmergencyAccess]:
    """The actor's own unexpired, unrevoked emergency grants. Only the case number, reason and
    times are shown, no case content, so this is not a case read."""
    return list(_emergency(actor, now or timezone.now()).order_by("expires_at", "id"))


# --- lists ------------------------------------------------------------------------------


def my_cases(
    *, actor: User, include_closed: bool = False, now: datetime | None = None
) -> list[Case]:
    """Cases the actor works on (as worker or active team member); each listing is logged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = Case.objects.filter(
        Q(worker=actor) | Q(Exists(_active_team(actor, today).filter(case_id=OuterRef("pk"))))
    ).select_related("client", "worker")
    if not actor.is_active:
        qs = qs.none()
    if not include_closed:
        qs = qs.exclude(status=Stage.CLOSED)
    cases = list(qs.order_by("next_review_on", "id"))
    _log_list(actor, cases, now)
    return cases


def _require_supervisor(actor: User) -> Q:
    q = _supervision_q(actor)
    if q is None:
        raise Forbidden("只有督导可以查看督导视图")
    return q


@dataclass(frozen=True)
class CaseloadRow:
    worker_id: int
    worker_name: str
    open_cases: int
    high_risk: int
    overdue_reviews: int


def supervised_caseloads(*, actor: User, now: datetime | None = None) -> list[CaseloadRow]:
    """Open cases per supervised worker, with counts only (no client data)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    q = _require_supervisor(actor)
    rows = (
        Case.objects.filter(q)
        .exclude(status=Stage.CLOSED)
        .order_by()
        .values("worker_id", "worker__display_name", "worker__username")
        .annotate(
            open_cases=Count("id"),
            high_risk=Count("id", filter=Q(risk_level__in=[RiskLevel.URGENT, RiskLevel.HIGH])),
            overdue=Count("id", filter=Q(next_review_on__lt=today)),
        )
    )
    return sorted(
        (
            CaseloadRow(
                worker_id=r["worker_id"],
                worker_name=r["worker__display_name"] or r["worker__username"],
                open_cases=r["open_cases"],
                high_risk=r["high_risk"],
                overdue_reviews=r["overdue"],
            )
            for r in rows
        ),
        key=lambda r: (-r.open_cases, r.worker_name),
    )


def overdue_reviews(*, actor: User, now: datetime | None = None) -> list[Case]:
    now = now or timezone.now()
    q = _require_supervisor(actor)
    cases = list(
        Case.objects.filter(q, next_review_on__lt=timezone.localdate(now))
        .exclude(status=Stage.CLOSED)
        .select_related("client", "worker")
        .order_by("next_review_on", "id")
    )
    _log_list(actor, cases, now, part="overdue")
    return cases


def high_risk_cases(*, actor: User, now: datetime | None = None) -> list[Case]:
    now = now or timezone.now()
    q = _require_supervisor(actor)
    cases = list(
        Case.objects.filter(q, risk_level__in=[RiskLevel.URGENT, RiskLevel.HIGH])
        .exclude(status=Stage.CLOSED)
        .select_related("client", "worker")
        .order_by("risk_level", "next_review_on", "id")
    )
    _log_list(actor, cases, now, part="high_risk")
    return cases


# --- aggregate report (no personal data) -------------------------------------------------

REPORT_DIMENSIONS = {
    "worker": "worker_id",
    "community": "community_id",
    "problem_type": "problem_type",
    "outcome": "outcome",
}


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    total: int
    open: int
    closed: int


def case_report(*, actor: User, by: str) -> list[ReportRow]:
    """Case counts by worker, community, problem type or closure outcome within the actor's
    units. Only counts and labels: no client is named, no case is read (so none is logged)."""
    if by not in REPORT_DIMENSIONS:
        raise InvalidInput("统计维度应为社工、社区、问题类型或结案成效", field="by")
    require(CaseDeskAction.VIEW_REPORT, case_desk_actions_for(actor), message=REPORT_REFUSAL)
    qs = Case.objects.filter(unit_scope(actor, community_field="community_id")).order_by()
    closed = Q(status=Stage.CLOSED)
    if by == "outcome":
        current = CaseClosure.objects.filter(
            case_id__in=qs.filter(closed).values("pk"), reopened_at__isnull=True
        )
        labels = dict(CaseClosure.Outcome.choices)
        return [
            ReportRow(
                key=r["outcome"],
                label=labels.get(r["outcome"], r["outcome"]),
                total=r["n"],
                open=0,
                closed=r["n"],
            )
            for r in current.values("outcome").annotate(n=Count("id")).order_by("outcome")
        ]
    field = REPORT_DIMENSIONS[by]
    if by == "worker":
        rows = qs.values(field, "worker__display_name", "worker__username")
    elif by == "community":
        rows = qs.values(field, "community__name")
    else:
        rows = qs.values(field)
    rows = rows.annotate(total=Count("id"), closed=Count("id", filter=closed))
    problem_labels = dict(Case.ProblemType.choices)
    out = []
    for r in rows:
        if by == "worker":
            label = r["worker__display_name"] or r["worker__username"]
        elif by == "community":
            label = r["community__name"]
        else:
            label = problem_labels.get(r[field], r[field])
        out.append(
            ReportRow(
                key=str(r[field]),
                label=label,
                total=r["total"],
                open=r["total"] - r["closed"],
                closed=r["closed"],
            )
        )
    return sorted(out, key=lambda r: (-r.total, r.label))


@dataclass(frozen=True)
class BenefitRow:
    kind: str
    label: str
    total: int
    by_status: dict[str, int]  # status → count, every status present


def benefit_report(*, actor: User) -> list[BenefitRow]:
    """Benefit applications (低保, 残疾证 …) run for clients in the actor's units, counted by
    kind and status. Only counts and labels: no client is named, no case is read."""
    require(CaseDeskAction.VIEW_REPORT, case_desk_actions_for(actor), message=REPORT_REFUSAL)
    cases = Case.objects.filter(unit_scope(actor, community_field="community_id"))
    counts: dict[str, dict[str, int]] = {}
    for r in (
        BenefitTask.objects.filter(case__in=cases.values("pk"))
        .order_by()
        .values("kind", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(r["kind"], dict.fromkeys(BenefitTask.Status.values, 0))[r["status"]] = r[
            "n"
        ]
    labels = dict(BenefitTask.Kind.choices)
    rows = [
        BenefitRow(kind=k, label=labels.get(k, k), total=sum(v.values()), by_status=v)
        for k, v in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r.total, r.label))


# --- export ----------------------------------------------------------------------------


def case_export(*, actor: User, case_id: int, now: datetime | None = None) -> str:
    """The parts of a case file the actor may see, as plain text watermarked with who exported
    it and when; logged as an export and as an audit event."""
    now = now or timezone.now()
    access = case_access(actor=actor, case_id=case_id, now=now)
    case = access.case
    stamp = f"{timezone.localtime(now):%Y-%m-%d %H:%M}"
    who = f"{actor.display_name or actor.username}（{actor.username}）"
    watermark = f"【保密】导出人：{who} 导出时间：{stamp} 仅限个案服务使用，不得外传"
    lines = [
        watermark,
        f"个案编号：{case.pk}",
        f"服务对象：{case.client.masked_name}",
        f"阶段：{case.get_status_display()}  风险等级：{case.get_risk_level_display()}",
        f"接案日期：{case.opened_on}  下次复核：{case.next_review_on}",
    ]
    if access.can(ASSESSMENT):
        for a in case.assessments.all():
            lines += [
                f"— 预估（{a.assessed_on}）",
                f"主要问题：{a.presenting_problem}",
                f"家庭与支持网络：{a.family_support}",
                f"健康状况：{a.health}",
                f"风险与受害情况：{a.risks}",
                f"优势与资源：{a.strengths}",
                f"预估叙述：{a.narrative}",
            ]
    if access.can(PLAN):
        plan = case.plans.order_by("-version").first()
        if plan is not None:
            lines.append(f"— 服务计划（第{plan.version}版）{plan.summary}")
            lines += [
                f"目标：{g.description}（{g.due_on}，{g.responsible}）" for g in plan.goals.all()
            ]
    if access.can(SESSIONS):
        logs = case.interventions.select_related("by")
        if access.own_sessions_only:
            logs = logs.filter(by=actor)
        lines += [
            f"— 介入 {i.on} {i.get_form_display()} {i.duration_minutes}分钟 {i.by}：{i.content}"
            for i in logs
        ]
    lines.append(watermark)
    _log(
        user=actor,
        case_ref=case.pk,
        case=case,
        action=CaseAccessLog.Action.EXPORT,
        now=now,
        part="export",
        relation=access.relation,
    )
    audit.record(actor=actor, action=AuditEvent.Action.EXPORT, obj=case, summary="导出个案档案")
    return "\n".join(lines)


def is_admin(user: User) -> bool:
    return bool(user.is_superuser or user.role in ADMIN_ROLES)


def cases_of_alerts(*, actor: User, alert_ids: list[int]) -> dict[int, int]:
    """alert id -> the open case opened from it, among the cases the actor may see. An alert
    with a case links to it and is not offered 开案 again (the service refuses a second case);
    a case the actor may not see stays unnamed here (its page would be 'not found')."""
    if not alert_ids:
        return {}
    rows = (
        cases_visible_to(actor)
        .filter(care_alert_id__in=alert_ids)
        .exclude(status=Stage.CLOSED)
        .order_by()
        .values_list("care_alert_id", "pk")
    )
    return {alert_id: case_id for alert_id, case_id in rows}


def alerts_with_case(*, alert_ids: list[int]) -> set[int]:
    """The alerts that already have an open case, whoever may see it: 开案 is not offered."""
    return set(
        Case.objects.filter(care_alert_id__in=alert_ids)
        .exclude(status=Stage.CLOSED)
        .values_list("care_alert_id", flat=True)
    )


CLIENT_NAME = "client_name"


def case_client_name(*, actor: User, access: CaseAccess, now: datetime | None = None) -> str:
    """The client's name as this actor may see it: in full for the case team (the worker and
    team members, who serve the person), logged as a read of the case like every other part;
    masked for everyone else (supervisors, emergency access)."""
    case = access.case
    if not access.is_team_member:
        return case.client.masked_name
    _log(
        user=actor,
        case_ref=case.pk,
        case=case,
        action=CaseAccessLog.Action.READ,
        now=now or timezone.now(),
        part=CLIENT_NAME,
        relation=access.relation,
    )
    return case.client.name
