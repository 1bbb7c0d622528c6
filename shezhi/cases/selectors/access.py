"""Who may see a case file and which of its parts, and the access log every read writes."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.cases.models import (
    FULL_TEAM_ROLES,
    Case,
    CaseAccessLog,
    CaseTeamMember,
    EmergencyAccess,
)
from shezhi.cases.permissions import ADMIN_ROLES
from shezhi.core.errors import Forbidden, NotFound
from shezhi.core.models import identity_snapshot

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


def active_team(user: User, today: date) -> QuerySet[CaseTeamMember]:
    return CaseTeamMember.objects.filter(user=user).filter(serving_on(today))


def supervision_q(user: User) -> Q | None:
    if user.role != Role.SUPERVISOR or user.unit is None or not user.is_active:
        return None
    return Q(worker__unit__path__startswith=user.unit.path)


def live_emergency_grants(user: User, now: datetime) -> QuerySet[EmergencyAccess]:
    return EmergencyAccess.objects.filter(
        user=user, revoked_at__isnull=True, granted_at__lte=now, expires_at__gt=now
    )


def cases_visible_to(user: User, *, now: datetime | None = None) -> QuerySet[Case]:
    """Not logged: for internal use; callers that show cases log through `log_list`."""
    now = now or timezone.now()
    if not user.is_active:
        return Case.objects.none()
    today = timezone.localdate(now)
    q = (
        Q(worker=user)
        | Q(Exists(active_team(user, today).filter(case_id=OuterRef("pk"))))
        | Q(Exists(live_emergency_grants(user, now).filter(case_id=OuterRef("pk"))))
    )
    sup = supervision_q(user)
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
    for role in active_team(user, today).filter(case=case).values_list("role", flat=True):
        rel.add(f"team:{role}")
    worker_unit = case.worker.unit
    if (
        user.role == Role.SUPERVISOR
        and user.unit is not None
        and worker_unit is not None
        and worker_unit.path.startswith(user.unit.path)
    ):
        rel.add(SUPERVISOR)
    if live_emergency_grants(user, now).filter(case=case).exists():
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


def log_access(
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


def log_list(user: User, cases: list[Case], now: datetime, part: str = "list") -> None:
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
        log_access(user=actor, case_ref=ref, case=case, action=CaseAccessLog.Action.DENIED, now=now)
        raise NotFound(NOT_FOUND)
    return _access_from(case, rel)


def require_part(access: CaseAccess, actor: User, part: str, now: datetime) -> None:
    if not access.can(part):
        log_access(
            user=actor,
            case_ref=access.case.pk,
            case=access.case,
            action=CaseAccessLog.Action.DENIED,
            now=now,
            part=part,
            relation=access.relation,
        )
        raise Forbidden("您在本个案中的角色无权查看这部分内容")


def is_admin(user: User) -> bool:
    return bool(user.is_superuser or user.role in ADMIN_ROLES)
