"""Who may read, draft and issue reports: one answer for services, pages and API.

Reading follows the figures (staff who may read figures, for units in their scope). The
station writes the report: social workers and the roles above them draft and edit it. Issuing
(印发) is the leaders' step: supervisors and the admins of the street and district. Only those
who may edit see a draft's preview; everyone who may read sees the issued versions."""

from enum import StrEnum

from shezhi.accounts.models import Role, User
from shezhi.figures.selectors import may_read_figures
from shezhi.reports.models import Report

DRAFT_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.SUPERVISOR,
        Role.STREET_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.SYSTEM_ADMIN,
    }
)
ISSUE_ROLES = frozenset(
    {Role.SUPERVISOR, Role.STREET_ADMIN, Role.DISTRICT_ADMIN, Role.SYSTEM_ADMIN}
)
# Told when a report of their unit or a unit below it is issued.
LEADER_ROLES = frozenset({Role.SUPERVISOR, Role.STREET_ADMIN, Role.DISTRICT_ADMIN})


class ReportAction(StrEnum):
    READ = "read"  # the report and its issued versions
    EDIT = "edit"  # title and text; also the draft's preview files
    ISSUE = "issue"  # 印发: archive a new version


def may_read_reports(actor: User) -> bool:
    return bool(actor.is_authenticated and may_read_figures(actor))


def may_draft_reports(actor: User) -> bool:
    return bool(actor.is_authenticated and (actor.is_superuser or actor.role in DRAFT_ROLES))


def may_issue_reports(actor: User) -> bool:
    return bool(actor.is_authenticated and (actor.is_superuser or actor.role in ISSUE_ROLES))


def report_actions_for(actor: User, report: Report) -> frozenset[ReportAction]:
    """`report` must come from a scoped selector (reports_visible_to)."""
    if not may_read_reports(actor):
        return frozenset()
    actions = {ReportAction.READ}
    if may_draft_reports(actor):
        actions.add(ReportAction.EDIT)
    if may_issue_reports(actor):
        actions.add(ReportAction.ISSUE)
    return frozenset(actions)
