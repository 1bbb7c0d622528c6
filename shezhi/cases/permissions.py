"""Who may do what with a case file, in one place.

`case_actions_for(access)` answers for one actor and one case (their `CaseAccess`: worker, team
role, supervisor line, emergency access) and the case's state; `case_desk_actions_for(actor)`
answers for the casework desk (open a case, ask for emergency access). Services guard with
`require_case_action`, the pages show buttons from the set and the API returns it as
`allowed_actions`, so the three agree."""

from enum import StrEnum
from typing import TYPE_CHECKING

from shezhi.accounts.models import STAFF_ROLES, Role, User
from shezhi.cases.models import Case, Stage
from shezhi.core.permissions import require

if TYPE_CHECKING:
    from shezhi.cases.selectors import CaseAccess

# Who opens cases, and who may ask for emergency access (admins never list cases).
OPEN_ROLES = frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_ADMIN})


class CaseAction(StrEnum):
    # the file (worker and casework team members)
    RECORD_CONSENT = "record_consent"
    ADVANCE = "advance"
    ASSESS = "assess"
    PLAN = "plan"
    REFER = "refer"
    UPDATE_REFERRAL = "update_referral"
    START_BENEFITS = "start_benefits"
    UPDATE_BENEFIT = "update_benefit"
    START_CRISIS = "start_crisis"
    WORK_CRISIS = "work_crisis"  # tick steps, safety plan, end the protocol
    CLOSE = "close"
    # any team member
    LOG_SESSION = "log_session"
    # the case's own worker
    ADD_MEMBER = "add_member"
    END_MEMBER = "end_member"
    # worker, casework team or supervisor line
    REVIEW = "review"
    REOPEN = "reopen"
    # supervisor line
    SUPERVISE = "supervise"
    VIEW_ACCESS_LOG = "view_access_log"
    # whoever may see the case
    EXPORT = "export"


class CaseDeskAction(StrEnum):
    OPEN_CASE = "open_case"
    EMERGENCY_ACCESS = "emergency_access"
    VIEW_REPORT = "view_report"  # counts only, no case read


FILE_WORK = frozenset(
    {
        CaseAction.RECORD_CONSENT,
        CaseAction.ADVANCE,
        CaseAction.ASSESS,
        CaseAction.PLAN,
        CaseAction.REFER,
        CaseAction.UPDATE_REFERRAL,
        CaseAction.START_BENEFITS,
        CaseAction.UPDATE_BENEFIT,
        CaseAction.START_CRISIS,
        CaseAction.WORK_CRISIS,
        CaseAction.CLOSE,
    }
)
# What a closed case still allows (its rows are kept up to date; it may be reopened).
WHEN_CLOSED = frozenset(
    {
        CaseAction.REOPEN,
        CaseAction.SUPERVISE,
        CaseAction.VIEW_ACCESS_LOG,
        CaseAction.EXPORT,
        CaseAction.UPDATE_REFERRAL,
        CaseAction.UPDATE_BENEFIT,
        CaseAction.WORK_CRISIS,
        CaseAction.END_MEMBER,
    }
)

ROLE_REFUSALS: dict[CaseAction, str] = {
    CaseAction.LOG_SESSION: "只有个案团队成员可以登记介入记录",
    CaseAction.ADD_MEMBER: "只有个案社工可以邀请团队成员",
    CaseAction.END_MEMBER: "只有个案社工可以调整团队成员",
    CaseAction.REVIEW: "只有个案社工或督导可以复核个案",
    CaseAction.REOPEN: "只有个案社工或督导可以重开个案",
    CaseAction.SUPERVISE: "只有督导可以填写督导记录",
}
FILE_REFUSAL = "只有个案社工和协作社工可以修改个案档案"
CLOSED_REFUSAL = "个案已结案，请先重开个案"
NOT_CLOSED_REFUSAL = "个案未结案，无需重开"


def case_role_actions(access: "CaseAccess") -> frozenset[CaseAction]:
    """What the actor's relation to the case allows, whatever its state."""
    allowed: set[CaseAction] = {CaseAction.EXPORT}
    if access.works_the_case:
        allowed |= FILE_WORK | {CaseAction.REVIEW, CaseAction.REOPEN}
    if access.is_team_member:
        allowed.add(CaseAction.LOG_SESSION)
    if access.is_worker:
        allowed |= {CaseAction.ADD_MEMBER, CaseAction.END_MEMBER}
    if access.is_supervisor:
        allowed |= {
            CaseAction.REVIEW,
            CaseAction.REOPEN,
            CaseAction.SUPERVISE,
            CaseAction.VIEW_ACCESS_LOG,
        }
    return frozenset(allowed)


def case_state_actions(case: Case) -> frozenset[CaseAction]:
    """What the case's state allows, whoever asks."""
    if case.status == Stage.CLOSED:
        return WHEN_CLOSED
    return frozenset(CaseAction) - {CaseAction.REOPEN}


def case_actions_for(access: "CaseAccess") -> frozenset[CaseAction]:
    """What this actor may do with this case now (`access` is their `case_access(...)`)."""
    return case_role_actions(access) & case_state_actions(access.case)


def require_case_role(access: "CaseAccess", action: CaseAction) -> None:
    """403 unless the actor's relation to the case allows `action`."""
    require(action, case_role_actions(access), message=ROLE_REFUSALS.get(action, FILE_REFUSAL))


def require_case_state(case: Case, action: CaseAction) -> None:
    """409 unless the case's state (read under lock) allows `action`."""
    message = NOT_CLOSED_REFUSAL if action == CaseAction.REOPEN else CLOSED_REFUSAL
    require(action, case_state_actions(case), message=message, state_refusal=True)


def case_desk_actions_for(actor: User) -> frozenset[CaseDeskAction]:
    """What the casework desk offers this actor (no case involved)."""
    allowed: set[CaseDeskAction] = set()
    if not actor.is_active:
        return frozenset()
    if actor.role in OPEN_ROLES:
        allowed.add(CaseDeskAction.OPEN_CASE)
    if actor.is_superuser or actor.role in ADMIN_ROLES:
        allowed.add(CaseDeskAction.EMERGENCY_ACCESS)
    if actor.is_superuser or actor.role in STAFF_ROLES:
        allowed.add(CaseDeskAction.VIEW_REPORT)
    return frozenset(allowed)
